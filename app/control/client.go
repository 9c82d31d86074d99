package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/coder/websocket"
)

// Client is an obs-websocket 5 client
// (https://github.com/obsproject/obs-websocket/blob/master/docs/generated/protocol.md)
// for GoLive's own command line (`golive dest`, `golive status`): it
// connects to a running `golive serve` or window, identifies with the
// password, and sends one request at a time. Fill the exported fields,
// call Initialize, then Request; Close when done.
type Client struct {
	// Addr is the remote control's HOST:PORT ("" = DefaultAddr).
	Addr string
	// Password answers the server's authentication challenge.
	Password string
	// Timeout bounds connecting and identifying, and each request
	// (0 = 5 s).
	Timeout time.Duration

	ws   *websocket.Conn
	next int
}

// Errors of Client.Initialize, for messages to people.
var (
	// ErrNotRunning: nothing listens on the address.
	ErrNotRunning = errors.New("no GoLive remote control is running there")
	// ErrAuthFailed: the server refused the password (close code 4009).
	ErrAuthFailed = errors.New("the remote control refused the password")
	// ErrNotRemoteControl: something answered that is not an
	// obs-websocket 5 server.
	ErrNotRemoteControl = errors.New("not an obs-websocket 5 remote control")
)

// clientReadLimit bounds one message from the server (a hostile or
// confused peer must not make the client allocate without limit).
const clientReadLimit = 1 << 20

// RequestError is a request the server answered with a failure status.
type RequestError struct {
	Type    string
	Code    Status
	Comment string
}

func (e *RequestError) Error() string {
	if e.Comment == "" {
		return fmt.Sprintf("%s failed (status %d)", e.Type, e.Code)
	}
	return fmt.Sprintf("%s failed: %s", e.Type, e.Comment)
}

// Initialize connects and identifies (Hello, Identify, Identified).
func (c *Client) Initialize(ctx context.Context) error {
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.Timeout <= 0 {
		c.Timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws://"+c.Addr, &websocket.DialOptions{Subprotocols: []string{Subprotocol}})
	if err != nil {
		return dialError(c.Addr, err)
	}
	ws.SetReadLimit(clientReadLimit)
	c.ws = ws
	if ws.Subprotocol() != Subprotocol {
		c.Close()
		return fmt.Errorf("%s: %w (no %s subprotocol)", c.Addr, ErrNotRemoteControl, Subprotocol)
	}
	if err := c.identify(ctx); err != nil {
		c.Close()
		return err
	}
	return nil
}

func dialError(addr string, err error) error {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("%s: %w", addr, ErrNotRunning)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: no answer in time: %w", addr, ErrNotRunning)
	}
	if strings.Contains(err.Error(), "expected handshake response status code 101") {
		return fmt.Errorf("%s: %w (it does not speak WebSocket there)", addr, ErrNotRemoteControl)
	}
	return fmt.Errorf("connect to %s: %w", addr, err)
}

// identify answers Hello, with the authentication string when asked.
func (c *Client) identify(ctx context.Context) error {
	op, d, err := c.read(ctx)
	if err != nil {
		return err
	}
	h, err := parseHello(op, d)
	if err != nil {
		return fmt.Errorf("%s: %w (%w)", c.Addr, ErrNotRemoteControl, err)
	}
	id := map[string]any{"rpcVersion": RPCVersion, "eventSubscriptions": 0}
	if h.Authentication != nil {
		if c.Password == "" {
			return fmt.Errorf("%s: %w: it asks for a password and none was given", c.Addr, ErrAuthFailed)
		}
		id["authentication"] = AuthString(c.Password, h.Authentication.Salt, h.Authentication.Challenge)
	}
	if err := c.write(ctx, OpIdentify, id); err != nil {
		return err
	}
	op, _, err = c.read(ctx)
	if err != nil {
		return err
	}
	if op != OpIdentified {
		return fmt.Errorf("%s: %w (op %d instead of Identified)", c.Addr, ErrNotRemoteControl, op)
	}
	return nil
}

// parseHello checks a Hello message.
func parseHello(op OpCode, d json.RawMessage) (hello, error) {
	var h hello
	if op != OpHello {
		return h, fmt.Errorf("op %d instead of hello", op)
	}
	if err := json.Unmarshal(d, &h); err != nil {
		return h, errors.New("its hello is not an object")
	}
	if h.RPCVersion < RPCVersion {
		return h, fmt.Errorf("RPC version %d", h.RPCVersion)
	}
	if a := h.Authentication; a != nil && (a.Salt == "" || a.Challenge == "") {
		return h, errors.New("its hello's authentication lacks its salt or challenge")
	}
	return h, nil
}

// Request sends one request and returns its responseData.
func (c *Client) Request(ctx context.Context, typ string, data map[string]any) (map[string]json.RawMessage, error) {
	if c.ws == nil {
		return nil, errors.New("remote control: not connected")
	}
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	c.next++
	id := "golive-cli-" + strconv.Itoa(c.next)
	d := map[string]any{"requestType": typ, "requestId": id}
	if data != nil {
		d["requestData"] = data
	}
	if err := c.write(ctx, OpRequest, d); err != nil {
		return nil, err
	}
	for {
		op, raw, err := c.read(ctx)
		if err != nil {
			return nil, err
		}
		if op != OpRequestResponse {
			continue // an event (none subscribed) or anything else
		}
		out, done, err := parseResponse(raw, typ, id)
		if done {
			return out, err
		}
	}
}

// parseResponse reads a RequestResponse; done is false when it answers
// another request.
func parseResponse(raw json.RawMessage, typ, id string) (data map[string]json.RawMessage, done bool, err error) {
	var r struct {
		RequestID     string                     `json:"requestId"`
		RequestStatus *requestStatus             `json:"requestStatus"`
		ResponseData  map[string]json.RawMessage `json:"responseData"`
	}
	if json.Unmarshal(raw, &r) != nil || r.RequestStatus == nil {
		return nil, true, fmt.Errorf("%s: %w (a response without its status)", typ, ErrNotRemoteControl)
	}
	if r.RequestID != id {
		return nil, false, nil
	}
	if !r.RequestStatus.Result {
		return nil, true, &RequestError{Type: typ, Code: r.RequestStatus.Code, Comment: shortText(r.RequestStatus.Comment)}
	}
	if r.ResponseData == nil {
		r.ResponseData = map[string]json.RawMessage{}
	}
	return r.ResponseData, true, nil
}

// shortText bounds a server's text before it is printed.
func shortText(s string) string {
	const maxText = 500
	if len(s) > maxText {
		return s[:maxText] + "…"
	}
	return s
}

func (c *Client) write(ctx context.Context, op OpCode, d any) error {
	b, err := json.Marshal(outMessage{Op: op, D: d})
	if err != nil {
		return err
	}
	if err := c.ws.Write(ctx, websocket.MessageText, b); err != nil {
		return c.connError(err)
	}
	return nil
}

// read returns the next message's op and data.
func (c *Client) read(ctx context.Context) (OpCode, json.RawMessage, error) {
	_, b, err := c.ws.Read(ctx)
	if err != nil {
		return 0, nil, c.connError(err)
	}
	var m struct {
		Op *int            `json:"op"`
		D  json.RawMessage `json:"d"`
	}
	if json.Unmarshal(b, &m) != nil || m.Op == nil {
		return 0, nil, fmt.Errorf("%s: %w (a message that is not obs-websocket's)", c.Addr, ErrNotRemoteControl)
	}
	return OpCode(*m.Op), m.D, nil
}

// connError words a closed connection: the close code obs-websocket gave.
func (c *Client) connError(err error) error {
	switch code := websocket.CloseStatus(err); {
	case code == websocket.StatusCode(CloseAuthenticationFailed):
		return fmt.Errorf("%s: %w", c.Addr, ErrAuthFailed)
	case code >= 4000:
		var ce websocket.CloseError
		errors.As(err, &ce)
		return fmt.Errorf("%s closed the connection (%d: %s)", c.Addr, code, shortText(ce.Reason))
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%s: no answer within %v", c.Addr, c.Timeout)
	}
	return fmt.Errorf("remote control at %s: %w", c.Addr, err)
}

// Close ends the connection.
func (c *Client) Close() {
	if c.ws != nil {
		_ = c.ws.Close(websocket.StatusNormalClosure, "")
		c.ws = nil
	}
}
