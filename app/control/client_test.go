package control

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestClientAgainstServer: the client identifies with the right password,
// gets ErrAuthFailed with a wrong one, ErrNotRunning where nothing
// listens, and the server's status for a failed request.
func TestClientAgainstServer(t *testing.T) {
	s := startServer(t, newFake(), "right password")
	ctx := t.Context()
	c := &Client{Addr: s.ListenAddr(), Password: "right password"}
	if err := c.Initialize(ctx); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	v, err := c.Request(ctx, "GetVersion", nil)
	if err != nil || string(v["platform"]) != `"GoLive"` {
		t.Fatalf("GetVersion: %v, %s", err, v["platform"])
	}
	if _, err := c.Request(ctx, "StartOutput", map[string]any{"outputName": "a"}); err != nil {
		t.Fatal(err)
	}
	st, err := c.Request(ctx, "GetOutputStatus", map[string]any{"outputName": "a"})
	if err != nil || string(st["outputActive"]) != "true" {
		t.Fatalf("GetOutputStatus after StartOutput: %v, %s", err, st["outputActive"])
	}
	_, err = c.Request(ctx, "StartOutput", map[string]any{"outputName": "nope"})
	var re *RequestError
	if !errors.As(err, &re) || re.Code != StatusResourceNotFound || !strings.Contains(re.Comment, `"nope"`) {
		t.Fatalf("StartOutput of an unknown output: %v", err)
	}

	bad := &Client{Addr: s.ListenAddr(), Password: "wrong"}
	if err := bad.Initialize(ctx); !errors.Is(err, ErrAuthFailed) {
		t.Fatalf("wrong password: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	free := ln.Addr().String()
	_ = ln.Close()
	none := &Client{Addr: free, Password: "x"}
	if err := none.Initialize(ctx); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("nothing listening: %v", err)
	}
}

// TestClientHostileServer: a server that is not obs-websocket, sends too
// much, or never answers gets an error within the timeout, never a hang
// or an allocation it asked for.
func TestClientHostileServer(t *testing.T) {
	hello := `{"op":0,"d":{"obsWebSocketVersion":"5","rpcVersion":1}}`
	cases := map[string]struct {
		script func(ctx context.Context, ws *websocket.Conn)
		want   string
	}{
		"huge message": {func(ctx context.Context, ws *websocket.Conn) {
			_ = ws.Write(ctx, websocket.MessageText, []byte(`{"op":0,"d":{"x":"`+strings.Repeat("a", 2<<20)+`"}}`))
		}, "remote control at"},
		"silent": {func(ctx context.Context, ws *websocket.Conn) {
			_, _, _ = ws.Read(ctx) // until the client gives up and closes
		}, "no answer within"},
		"not obs": {func(ctx context.Context, ws *websocket.Conn) {
			_ = ws.Write(ctx, websocket.MessageText, []byte(`[1,2,3]`))
		}, ErrNotRemoteControl.Error()},
		"old rpc": {func(ctx context.Context, ws *websocket.Conn) {
			_ = ws.Write(ctx, websocket.MessageText, []byte(`{"op":0,"d":{"rpcVersion":0}}`))
		}, "RPC version 0"},
		"auth without salt": {func(ctx context.Context, ws *websocket.Conn) {
			_ = ws.Write(ctx, websocket.MessageText, []byte(`{"op":0,"d":{"rpcVersion":1,"authentication":{"challenge":"c"}}}`))
		}, "lacks its salt"},
		"closes 4011": {func(ctx context.Context, ws *websocket.Conn) {
			_ = ws.Write(ctx, websocket.MessageText, []byte(hello))
			_ = ws.Close(websocket.StatusCode(CloseSessionInvalidated), "go away \x1b[2J")
		}, "closed the connection (4011: go away"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			addr := scriptedServer(t, tc.script)
			c := &Client{Addr: addr, Password: "pw", Timeout: time.Second}
			start := time.Now()
			err := c.Initialize(t.Context())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Fatalf("took %v with a 1 s timeout", d)
			}
		})
	}
	plain := httptest.NewServer(http.NotFoundHandler())
	defer plain.Close()
	c := &Client{Addr: strings.TrimPrefix(plain.URL, "http://"), Password: "pw"}
	if err := c.Initialize(t.Context()); !errors.Is(err, ErrNotRemoteControl) {
		t.Fatalf("an HTTP server: %v", err)
	}
}

// scriptedServer accepts WebSocket connections (obswebsocket.json) and runs
// script on each; it returns its HOST:PORT.
func scriptedServer(t *testing.T, script func(ctx context.Context, ws *websocket.Conn)) string {
	t.Helper()
	var handlers sync.WaitGroup
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handlers.Add(1)
		defer handlers.Done()
		ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{Subprotocol}})
		if err != nil {
			return
		}
		defer func() { _ = ws.CloseNow() }()
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		script(ctx, ws)
	}))
	t.Cleanup(func() {
		srv.Close()
		handlers.Wait() // hijacked connections are not waited for by Close
	})
	return strings.TrimPrefix(srv.URL, "http://")
}

// TestClientResponses: a response to another request is skipped, a
// failure carries its status, a response without status is refused.
func TestClientResponses(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		done bool
		err  string
	}{
		{`{"requestId":"other","requestStatus":{"result":true,"code":100}}`, false, ""},
		{`{"requestId":"id","requestStatus":{"result":true,"code":100},"responseData":{"a":1}}`, true, ""},
		{`{"requestId":"id","requestStatus":{"result":false,"code":600,"comment":"no output named \"x\""}}`, true, `T failed: no output named "x"`},
		{`{"requestId":"id"}`, true, "a response without its status"},
		{`[]`, true, "a response without its status"},
	} {
		_, done, err := parseResponse(json.RawMessage(tc.raw), "T", "id")
		if done != tc.done || (tc.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s: done %v, err %v; want %v, %q", tc.raw, done, err, tc.done, tc.err)
		}
	}
}

// FuzzClientMessage: what a server sends never panics the client's
// parsers, and a comment is bounded before it is printed.
// Corpus: testdata/fuzz/FuzzClientMessage.
func FuzzClientMessage(f *testing.F) {
	f.Add(`{"obsWebSocketVersion":"5.5.0","rpcVersion":1,"authentication":{"challenge":"c","salt":"s"}}`)
	f.Add(`{"requestId":"id","requestStatus":{"result":false,"code":600,"comment":"x"},"responseData":{"a":[1]}}`)
	f.Fuzz(func(t *testing.T, raw string) {
		_, _ = parseHello(OpHello, json.RawMessage(raw))
		_, _, err := parseResponse(json.RawMessage(raw), "T", "id")
		var re *RequestError
		if errors.As(err, &re) && len(re.Comment) > 500+len("…") {
			t.Fatalf("comment of %d bytes", len(re.Comment))
		}
	})
}
