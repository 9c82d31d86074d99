package control

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// fakeController is a stream with two destinations and two profiles,
// with no engine behind it: it checks the protocol layer alone.
type fakeController struct {
	mu      sync.Mutex
	current string
	active  map[string]bool
	subs    map[int]func(Event)
	nextSub int
	failErr error
}

func newFake() *fakeController {
	return &fakeController{current: "One", active: map[string]bool{}, subs: map[int]func(Event){}}
}

func (f *fakeController) emit(ev Event) {
	f.mu.Lock()
	fns := make([]func(Event), 0, len(f.subs))
	for _, fn := range f.subs {
		fns = append(fns, fn)
	}
	f.mu.Unlock()
	for _, fn := range fns {
		fn(ev)
	}
}

func (f *fakeController) Profiles() (string, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.current, []string{"One", "Two"}
}

func (f *fakeController) SetCurrentProfile(name string) error {
	if name != "One" && name != "Two" {
		return fmt.Errorf("profile %q: %w", name, ErrNotFound)
	}
	f.mu.Lock()
	f.current = name
	f.mu.Unlock()
	f.emit(Event{Type: EventCurrentProfileChanged, Profile: name})
	return nil
}

func (f *fakeController) StartStream() error {
	f.mu.Lock()
	if f.failErr != nil {
		defer f.mu.Unlock()
		return f.failErr
	}
	if f.active["a"] {
		f.mu.Unlock()
		return fmt.Errorf("the stream: %w", ErrAlreadyActive)
	}
	f.active["a"], f.active["b"] = true, true
	f.mu.Unlock()
	f.emit(Event{Type: EventStreamStateChanged, State: OutputStarting})
	f.emit(Event{Type: EventStreamStateChanged, Active: true, State: OutputStarted})
	return nil
}

func (f *fakeController) StopStream() error {
	f.mu.Lock()
	if !f.active["a"] && !f.active["b"] {
		f.mu.Unlock()
		return fmt.Errorf("the stream: %w", ErrNotActive)
	}
	f.active["a"], f.active["b"] = false, false
	f.mu.Unlock()
	f.emit(Event{Type: EventStreamStateChanged, Active: true, State: OutputStopping})
	f.emit(Event{Type: EventStreamStateChanged, State: OutputStopped})
	return nil
}

func (f *fakeController) Stream() OutputState {
	f.mu.Lock()
	defer f.mu.Unlock()
	on := f.active["a"] || f.active["b"]
	return OutputState{Name: "stream", Kind: "stream", Active: on, Duration: 1500 * time.Millisecond, Bytes: 1234}
}

func (f *fakeController) StartRecord() error { return fmt.Errorf("recording: %w", ErrNothingToStream) }
func (f *fakeController) StopRecord() (string, error) {
	return "", fmt.Errorf("recording: %w", ErrNotActive)
}
func (f *fakeController) Record() OutputState          { return OutputState{Kind: "record"} }
func (f *fakeController) Engine() EngineStats          { return EngineStats{FPS: 30, Encoded: 90, Captured: 91} }
func (f *fakeController) StopOutput(name string) error { return f.setOutput(name, false) }

func (f *fakeController) StartOutput(name string) error { return f.setOutput(name, true) }

func (f *fakeController) setOutput(name string, on bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.active[name] == on {
		if on {
			return ErrAlreadyActive
		}
		return ErrNotActive
	}
	f.active[name] = on
	return nil
}

func (f *fakeController) Outputs() []OutputState {
	f.mu.Lock()
	defer f.mu.Unlock()
	return []OutputState{{Name: "a", Kind: "rtmp", Active: f.active["a"]}, {Name: "b", Kind: "rtmp", Active: f.active["b"]}}
}

func (f *fakeController) Subscribe(fn func(Event)) func() {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := f.nextSub
	f.nextSub++
	f.subs[id] = fn
	return func() {
		f.mu.Lock()
		delete(f.subs, id)
		f.mu.Unlock()
	}
}

// startServer runs a Server on a free loopback port until the test ends.
func startServer(t *testing.T, ctl Controller, password string) *Server {
	t.Helper()
	s := &Server{Addr: "127.0.0.1:0", Password: password, Controller: ctl, Version: "test"}
	startInitialized(t, s)
	return s
}

func contextWithCancel() (context.Context, context.CancelFunc) {
	return context.WithCancel(context.Background())
}

// startInitialized initializes and runs s until the test ends.
func startInitialized(t *testing.T, s *Server) {
	t.Helper()
	if err := s.Initialize(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server Run: %v", err)
		}
	})
}

// client is a minimal obs-websocket client for the tests.
type client struct {
	t  testing.TB
	ws *websocket.Conn
	// events holds the events read while waiting for a response.
	events []map[string]any
}

func dial(t testing.TB, s *Server) *client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws://"+s.ListenAddr(), &websocket.DialOptions{Subprotocols: []string{Subprotocol}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	ws.SetReadLimit(1 << 20)
	c := &client{t: t, ws: ws}
	t.Cleanup(func() { _ = ws.CloseNow() })
	return c
}

func (c *client) sendRaw(v any) {
	c.t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		c.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, data); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

func (c *client) send(op OpCode, d any) { c.t.Helper(); c.sendRaw(map[string]any{"op": op, "d": d}) }

// recv reads one message; err is the close error when the server closed.
func (c *client) recv() (op OpCode, d map[string]any, raw string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, data, err := c.ws.Read(ctx)
	if err != nil {
		return 0, nil, "", err
	}
	var m struct {
		Op OpCode         `json:"op"`
		D  map[string]any `json:"d"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		c.t.Fatalf("bad message from the server: %v: %s", err, data)
	}
	return m.Op, m.D, string(data), nil
}

// expect reads one message that must have the op.
func (c *client) expect(op OpCode) map[string]any {
	c.t.Helper()
	got, d, raw, err := c.recv()
	if err != nil {
		c.t.Fatalf("waiting for op %d: %v", op, err)
	}
	if got != op {
		c.t.Fatalf("got op %d, want %d: %s", got, op, raw)
	}
	return d
}

// expectClose reads until the server closes and returns the close code.
func (c *client) expectClose() websocket.StatusCode {
	c.t.Helper()
	for {
		_, _, raw, err := c.recv()
		if err != nil {
			return websocket.CloseStatus(err)
		}
		c.t.Logf("before the close: %s", raw)
	}
}

// identify answers Hello with the password (none when "").
func (c *client) identify(password string, subs *uint32) {
	c.t.Helper()
	h := c.expect(OpHello)
	d := map[string]any{"rpcVersion": 1}
	if subs != nil {
		d["eventSubscriptions"] = *subs
	}
	if a, ok := h["authentication"].(map[string]any); ok {
		d["authentication"] = AuthString(password, a["salt"].(string), a["challenge"].(string))
	}
	c.send(OpIdentify, d)
}

// request sends one request and returns its response data.
func (c *client) request(typ string, data map[string]any) map[string]any {
	c.t.Helper()
	d := map[string]any{"requestType": typ, "requestId": "id-" + typ}
	if data != nil {
		d["requestData"] = data
	}
	c.send(OpRequest, d)
	for {
		op, resp, raw, err := c.recv()
		if err != nil {
			c.t.Fatalf("%s: %v", typ, err)
		}
		if op == OpEvent {
			c.events = append(c.events, resp)
			continue
		}
		if op != OpRequestResponse || resp["requestId"] != "id-"+typ {
			c.t.Fatalf("%s: unexpected answer %s", typ, raw)
		}
		return resp
	}
}

func statusCode(resp map[string]any) int {
	st, _ := resp["requestStatus"].(map[string]any)
	f, _ := st["code"].(float64)
	return int(f)
}
