package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// conn is one client session: the goroutine of ServeHTTP reads and
// answers requests in order; a writer goroutine it owns sends the queued
// messages (responses and events, in the order they were queued).
type conn struct {
	s      *Server
	ws     *websocket.Conn
	remote string
	// msgpack is set on the obswebsocket.msgpack subprotocol: binary
	// frames, translated to and from JSON here.
	msgpack bool

	out        chan []byte
	ctx        context.Context
	cancel     context.CancelFunc
	identified atomic.Bool
	subs       atomic.Uint32
	incoming   atomic.Uint64
	outgoing   atomic.Uint64

	mu          sync.Mutex
	closeCode   websocket.StatusCode
	closeReason string
	flush       bool
	limiter     requestLimiter
}

func newConn(s *Server) *conn {
	ctx, cancel := context.WithCancel(s.base)
	return &conn{s: s, out: make(chan []byte, outQueue), ctx: ctx, cancel: cancel,
		limiter: requestLimiter{rate: requestRate, burst: requestBurst}}
}

// finish asks the session to end with a close code; flush sends the
// queued messages first. The first reason given wins.
func (c *conn) finish(code websocket.StatusCode, reason string, flush bool) {
	c.mu.Lock()
	if c.closeCode == 0 {
		c.closeCode, c.closeReason, c.flush = code, reason, flush
	}
	c.mu.Unlock()
	c.cancel()
}

// trySend queues a message without blocking; a full queue ends the
// session (the client reads too slowly).
func (c *conn) trySend(data []byte) {
	select {
	case c.out <- data:
	default:
		c.finish(websocket.StatusPolicyViolation, "client too slow: message queue full", false)
	}
}

// send queues a message, waiting for room (responses are never dropped).
func (c *conn) send(m outMessage) bool {
	data, err := c.s.encode(m)
	if err != nil {
		c.s.Logger.Error("remote control: cannot encode message", "op", m.Op, "err", err)
		return false
	}
	select {
	case c.out <- data:
		return true
	case <-c.ctx.Done():
		return false
	}
}

// serve runs the session until the client leaves, breaks the protocol or
// the server shuts down. Reads never take a context (coder/websocket drops
// the connection when one ends): the session ends by closing the socket.
func (c *conn) serve() {
	writerDone := make(chan struct{})
	go c.writer(writerDone)
	timer := time.AfterFunc(c.s.IdentifyTimeout, func() {
		if !c.identified.Load() {
			c.finish(websocket.StatusCode(CloseNotIdentified), fmt.Sprintf("no Identify within %v", c.s.IdentifyTimeout), false)
		}
	})
	err := c.readLoop()
	timer.Stop()
	var pe *protocolError
	if errors.As(err, &pe) {
		c.s.Logger.Info("remote control: client closed for a protocol error", "remote", c.remote, "code", int(pe.Code), "reason", pe.Reason)
		c.finish(websocket.StatusCode(pe.Code), pe.Reason, true)
	}
	c.finish(websocket.StatusNormalClosure, "", false)
	<-writerDone
}

// writer sends queued messages until the session ends, then closes the
// socket with the session's close code; when it ends with a flush, what
// is queued is sent first.
func (c *conn) writer(done chan<- struct{}) {
	defer close(done)
	for alive := true; alive; {
		select {
		case data := <-c.out:
			alive = c.write(data)
		case <-c.ctx.Done():
			alive = false
		}
	}
	c.mu.Lock()
	code, reason, flush := c.closeCode, c.closeReason, c.flush
	c.mu.Unlock()
	for flush {
		select {
		case data := <-c.out:
			flush = c.write(data)
		default:
			flush = false
		}
	}
	_ = c.ws.Close(code, reason)
}

func (c *conn) write(data []byte) bool {
	typ := websocket.MessageText
	if c.msgpack {
		mp, err := jsonToMsgPack(data)
		if err != nil {
			c.s.Logger.Error("remote control: cannot encode MessagePack", "err", err)
			return true
		}
		data, typ = mp, websocket.MessageBinary
	}
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	if err := c.ws.Write(ctx, typ, data); err != nil {
		c.s.Logger.Debug("remote control: write failed", "remote", c.remote, "err", err)
		c.finish(websocket.StatusGoingAway, "write failed", false)
		_ = c.ws.CloseNow()
		return false
	}
	c.outgoing.Add(1)
	return true
}

// readLoop reads and handles messages in order.
func (c *conn) readLoop() error {
	ch := newChallenge()
	h := hello{OBSWebSocketVersion: OBSWebSocketVersion, RPCVersion: RPCVersion}
	if c.s.Password != "" {
		h.Authentication = &ch
	}
	if !c.send(outMessage{Op: OpHello, D: h}) {
		return nil
	}
	for {
		typ, data, err := c.ws.Read(context.Background())
		if err != nil {
			return nil // the client left, or the session is ending
		}
		c.incoming.Add(1)
		data, err = c.frame(typ, data)
		if err != nil {
			return err
		}
		m, err := decodeMessage(data)
		if err != nil {
			return err
		}
		if err := c.handle(m, ch); err != nil {
			return err
		}
	}
}

// frame checks a frame's type against the subprotocol and returns its
// JSON text.
func (c *conn) frame(typ websocket.MessageType, data []byte) ([]byte, error) {
	if !c.msgpack {
		if typ != websocket.MessageText {
			return nil, closeWith(CloseMessageDecodeError, "binary message on the obswebsocket.json subprotocol")
		}
		return data, nil
	}
	if typ != websocket.MessageBinary {
		return nil, closeWith(CloseMessageDecodeError, "text message on the obswebsocket.msgpack subprotocol")
	}
	js, err := msgpackToJSON(data)
	if err != nil {
		return nil, closeWith(CloseMessageDecodeError, "%v", err)
	}
	return js, nil
}

// handle dispatches one decoded message.
func (c *conn) handle(m message, ch challenge) error {
	if !c.identified.Load() && m.Op != OpIdentify {
		return closeWith(CloseNotIdentified, "op %d before Identify", m.Op)
	}
	switch m.Op {
	case OpIdentify:
		if c.identified.Load() {
			return closeWith(CloseAlreadyIdentified, "already identified: use Reidentify")
		}
		return c.identify(m.D, ch)
	case OpReidentify:
		subs, err := subscriptions(m.D)
		if err != nil {
			return err
		}
		c.subs.Store(subs)
		c.send(outMessage{Op: OpIdentified, D: identified{NegotiatedRPCVersion: RPCVersion}})
		return nil
	case OpRequest:
		return c.request(m.D)
	case OpRequestBatch:
		return c.batch(m.D)
	}
	return closeWith(CloseUnknownOpCode, "unknown op %d", m.Op)
}

// identify checks Identify: RPC version, then the password (throttled
// after failures), then the subscriptions.
func (c *conn) identify(d map[string]json.RawMessage, ch challenge) error {
	raw, ok := d["rpcVersion"]
	if !ok {
		return closeWith(CloseMissingDataField, "Identify without rpcVersion")
	}
	v, err := intField(raw)
	if err != nil {
		return closeWith(CloseInvalidDataFieldType, "rpcVersion: %v", err)
	}
	if v != RPCVersion {
		return closeWith(CloseUnsupportedRPCVersion, "rpcVersion %d: this server speaks %d", v, RPCVersion)
	}
	subs, err := subscriptions(d)
	if err != nil {
		return err
	}
	if c.s.Password != "" {
		got := ""
		if raw, ok := d["authentication"]; ok {
			if got, err = stringField(raw, 128); err != nil {
				return closeWith(CloseInvalidDataFieldType, "authentication: %v", err)
			}
		}
		ok, err := c.s.auth.check(c.ctx, func() bool { return got != "" && authOK(c.s.Password, ch, got) })
		if err != nil {
			return nil // the session is ending
		}
		if !ok {
			c.s.Logger.Info("remote control: wrong password", "remote", c.remote)
			return closeWith(CloseAuthenticationFailed, "authentication failed")
		}
	}
	c.subs.Store(subs)
	c.identified.Store(true)
	c.send(outMessage{Op: OpIdentified, D: identified{NegotiatedRPCVersion: RPCVersion}})
	return nil
}

// subscriptions reads eventSubscriptions (default: every non-high-volume
// category).
func subscriptions(d map[string]json.RawMessage) (uint32, error) {
	raw, ok := d["eventSubscriptions"]
	if !ok || isNull(raw) {
		return SubAll, nil
	}
	v, err := intField(raw)
	if err != nil {
		return 0, closeWith(CloseInvalidDataFieldType, "eventSubscriptions: %v", err)
	}
	return uint32(v), nil
}
