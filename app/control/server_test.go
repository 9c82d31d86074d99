package control

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"

	"golive/app/secret"
	"golive/media/testpeer"
)

const testPassword = "correct horse battery staple"

func TestMain(m *testing.M) { goleak.VerifyTestMain(testpeer.OwnTempDir(m)) }

// TestAuthString checks the authentication string against the example of
// the protocol document's algorithm, computed independently.
func TestAuthString(t *testing.T) {
	// sha256("supersecretpassword" + salt) etc., as obs-websocket-js does.
	got := AuthString("supersecretpassword", "lM1GncleQOaCu9lT1yeUZhFYnqhsLLP1G5lAGo3ixaI=", "+IxH4CnCiqpX1rM9scsNynZzbOe4KhDeYcTNS3PDaeY=")
	if len(got) != 44 || got == AuthString("other", "lM1GncleQOaCu9lT1yeUZhFYnqhsLLP1G5lAGo3ixaI=", "+IxH4CnCiqpX1rM9scsNynZzbOe4KhDeYcTNS3PDaeY=") {
		t.Fatalf("auth string %q", got)
	}
	if !authOK("pw", challenge{Challenge: "c", Salt: "s"}, AuthString("pw", "s", "c")) || authOK("pw", challenge{Challenge: "c", Salt: "s"}, "") {
		t.Fatal("authOK")
	}
}

// TestSessionFlow: Hello with a challenge, Identify with the password,
// requests, a batch, events filtered by the subscription mask, Reidentify.
func TestSessionFlow(t *testing.T) {
	f := newFake()
	s := startServer(t, f, testPassword)
	c := dial(t, s)
	c.identify(testPassword, nil)
	if d := c.expect(OpIdentified); d["negotiatedRpcVersion"] != float64(1) {
		t.Fatalf("Identified %v", d)
	}
	v := c.request("GetVersion", nil)
	rd := v["responseData"].(map[string]any)
	if rd["platform"] != "GoLive" || rd["rpcVersion"] != float64(1) || !strings.Contains(fmt.Sprint(rd["availableRequests"]), "StartOutput") {
		t.Fatalf("GetVersion %v", v)
	}
	if r := c.request("NoSuchRequest", nil); statusCode(r) != int(StatusUnknownRequestType) {
		t.Fatalf("unknown request: %v", r)
	}
	if r := c.request("SetCurrentProfile", map[string]any{"profileName": "Nope"}); statusCode(r) != int(StatusResourceNotFound) {
		t.Fatalf("unknown profile: %v", r)
	}
	if r := c.request("StopOutput", map[string]any{}); statusCode(r) != int(StatusMissingRequestField) {
		t.Fatalf("missing outputName: %v", r)
	}
	if r := c.request("StartStream", nil); statusCode(r) != int(StatusSuccess) {
		t.Fatalf("StartStream: %v", r)
	}
	// Events of the start, in order.
	var states []string
	for _, ev := range c.events {
		states = append(states, ev["eventData"].(map[string]any)["outputState"].(string))
	}
	if len(states) != 2 || states[0] != OutputStarting || states[1] != OutputStarted {
		t.Fatalf("events %v", states)
	}
	st := c.request("GetStreamStatus", nil)["responseData"].(map[string]any)
	if st["outputActive"] != true || st["outputTimecode"] != "00:00:01.500" || st["outputBytes"] != float64(1234) {
		t.Fatalf("GetStreamStatus %v", st)
	}
	// Only the Config category: stream events no longer arrive.
	c.send(OpReidentify, map[string]any{"eventSubscriptions": SubConfig})
	c.expect(OpIdentified)
	c.send(OpRequestBatch, map[string]any{"requestId": "b1", "requests": []map[string]any{
		{"requestType": "StopStream"},
		{"requestType": "SetCurrentProfile", "requestData": map[string]any{"profileName": "Two"}, "requestId": "p"},
		{"requestType": "Nope"},
	}})
	ev := c.expect(OpEvent) // CurrentProfileChanged, and no StreamStateChanged
	if ev["eventType"] != EventCurrentProfileChanged {
		t.Fatalf("event %v", ev)
	}
	br := c.expect(OpRequestBatchResponse)
	res := br["results"].([]any)
	if len(res) != 3 || statusCode(res[0].(map[string]any)) != 100 || statusCode(res[2].(map[string]any)) != 204 {
		t.Fatalf("batch %v", br)
	}
}

// TestWrongPasswordCloses4009 and a missing one.
func TestWrongPasswordCloses4009(t *testing.T) {
	s := startServer(t, newFake(), testPassword)
	for _, pw := range []string{"wrong", ""} {
		c := dial(t, s)
		h := c.expect(OpHello)
		d := map[string]any{"rpcVersion": 1}
		if pw != "" {
			a := h["authentication"].(map[string]any)
			d["authentication"] = AuthString(pw, a["salt"].(string), a["challenge"].(string))
		}
		c.send(OpIdentify, d)
		if code := c.expectClose(); code != websocket.StatusCode(CloseAuthenticationFailed) {
			t.Fatalf("password %q: close code %d, want 4009", pw, code)
		}
	}
}

// TestProtocolViolations: each breach closes with the documented code.
func TestProtocolViolations(t *testing.T) {
	s := startServer(t, newFake(), "")
	cases := []struct {
		name     string
		identify bool
		send     func(c *client)
		want     int
	}{
		{"request before Identify", false, func(c *client) {
			c.send(OpRequest, map[string]any{"requestType": "StartStream", "requestId": "x"})
		}, 4007},
		{"binary frame", false, func(c *client) {
			_ = c.ws.Write(t.Context(), websocket.MessageBinary, []byte(`{"op":1,"d":{"rpcVersion":1}}`))
		}, 4002},
		{"not JSON", false, func(c *client) { c.sendRaw("hello") }, 4002},
		{"no op", false, func(c *client) { c.sendRaw(map[string]any{"d": map[string]any{}}) }, 4006},
		{"no d", false, func(c *client) { c.sendRaw(map[string]any{"op": 1}) }, 4003},
		{"no rpcVersion", false, func(c *client) { c.send(OpIdentify, map[string]any{}) }, 4003},
		{"rpcVersion 2", false, func(c *client) { c.send(OpIdentify, map[string]any{"rpcVersion": 2}) }, 4010},
		{"obs-websocket 4", false, func(c *client) { c.sendRaw(map[string]any{"request-type": "GetVersion", "message-id": "1"}) }, 4010},
		{"Identify twice", true, func(c *client) { c.send(OpIdentify, map[string]any{"rpcVersion": 1}) }, 4008},
		{"unknown op", true, func(c *client) { c.send(OpCode(42), map[string]any{}) }, 4006},
		{"request without id", true, func(c *client) { c.send(OpRequest, map[string]any{"requestType": "GetVersion"}) }, 4003},
		{"batch too big", true, func(c *client) {
			reqs := make([]map[string]any, MaxBatchRequests+1)
			for i := range reqs {
				reqs[i] = map[string]any{"requestType": "GetVersion"}
			}
			c.send(OpRequestBatch, map[string]any{"requestId": "b", "requests": reqs})
		}, 4005},
		{"message too big", true, func(c *client) {
			c.send(OpRequest, map[string]any{"requestType": "GetVersion", "requestId": strings.Repeat("x", MaxMessageBytes)})
		}, int(websocket.StatusMessageTooBig)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, s)
			if tc.identify {
				c.identify("", nil)
				c.expect(OpIdentified)
			} else {
				c.expect(OpHello)
			}
			tc.send(c)
			if code := c.expectClose(); int(code) != tc.want {
				t.Fatalf("close code %d, want %d", code, tc.want)
			}
		})
	}
}

// TestNoIdentifyTimesOut: a client that never identifies is closed.
func TestNoIdentifyTimesOut(t *testing.T) {
	s := &Server{Addr: "127.0.0.1:0", Controller: newFake(), IdentifyTimeout: 300 * time.Millisecond}
	startInitialized(t, s)
	c := dial(t, s)
	c.expect(OpHello)
	if code := c.expectClose(); code != websocket.StatusCode(CloseNotIdentified) {
		t.Fatalf("close code %d, want 4007", code)
	}
}

// TestBadPasswordsSlowedDown: 100 wrong passwords in a row are slowed
// down (the first ten answered at once, then 100 ms each, then 1 s each),
// for parallel connections too; the right password still works after.
func TestBadPasswordsSlowedDown(t *testing.T) {
	if testing.Short() {
		t.Skip("takes about 11 s")
	}
	s := startServer(t, newFake(), testPassword)
	attempt := func() time.Duration {
		c := dial(t, s)
		start := time.Now()
		c.identify("guess", nil)
		if code := c.expectClose(); code != websocket.StatusCode(CloseAuthenticationFailed) {
			t.Fatalf("close code %d, want 4009", code)
		}
		return time.Since(start)
	}
	start := time.Now()
	var free time.Duration
	for range FreeFailures {
		free += attempt()
	}
	// Not waited for: together well under the 100 ms each that follow.
	if free > time.Duration(FreeFailures)*SlowDelay/2 {
		t.Fatalf("the first %d failures took %v: they should not wait", FreeFailures, free)
	}
	// Failures 11 to 100, four connections at a time: the limiter is
	// shared, so they still take 100 ms each.
	errc := make(chan error, 4)
	for w := range 4 {
		go func() {
			var err error
			for range (SlowerAfter - FreeFailures) / 4 {
				if d := attempt(); d < SlowDelay {
					err = fmt.Errorf("worker %d: a failure took %v, want at least %v", w, d, SlowDelay)
				}
			}
			errc <- err
		}()
	}
	for range 4 {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	if rest := (SlowerAfter - FreeFailures) % 4; rest != 0 {
		for range rest {
			attempt()
		}
	}
	total := time.Since(start)
	t.Logf("100 wrong passwords took %v", total)
	if least := time.Duration(SlowerAfter-FreeFailures) * SlowDelay; total < least {
		t.Fatalf("100 wrong passwords in %v: want at least %v", total, least)
	}
	if d := attempt(); d < SlowerDelay {
		t.Fatalf("failure 101 took %v, want at least %v", d, SlowerDelay)
	}
	c := dial(t, s)
	c.identify(testPassword, nil)
	c.expect(OpIdentified)
}

// TestNoSecretInAnswers: an error carrying a stream key is redacted in
// the comment sent to the client.
func TestNoSecretInAnswers(t *testing.T) {
	reg := &secret.Registry{}
	reg.Register("live_123456_secretkey")
	f := newFake()
	f.failErr = errors.New("connect rtmp://host/app/live_123456_secretkey: refused")
	s := &Server{Addr: "127.0.0.1:0", Controller: f, Secrets: reg}
	startInitialized(t, s)
	c := dial(t, s)
	c.identify("", nil)
	c.expect(OpIdentified)
	c.send(OpRequest, map[string]any{"requestType": "StartStream", "requestId": "1"})
	_, d, raw, err := c.recv()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(raw, "secretkey") || statusCode(d) != int(StatusRequestProcessingFail) {
		t.Fatalf("answer %s", raw)
	}
}

// TestExitStarted: shutting the server down tells clients ExitStarted,
// then closes them with 1001.
func TestExitStarted(t *testing.T) {
	s := &Server{Addr: "127.0.0.1:0", Controller: newFake()}
	if err := s.Initialize(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := contextWithCancel()
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	c := dial(t, s)
	c.identify("", nil)
	c.expect(OpIdentified)
	cancel()
	ev := c.expect(OpEvent)
	if ev["eventType"] != EventExitStarted {
		t.Fatalf("event %v", ev)
	}
	if code := c.expectClose(); code != websocket.StatusGoingAway {
		t.Fatalf("close code %d", code)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestSlowClientClosed: a client that does not read its events is closed
// once its queue is full; the server does not block or grow.
func TestSlowClientClosed(t *testing.T) {
	f := newFake()
	s := startServer(t, f, "")
	c := dial(t, s)
	c.identify("", nil)
	c.expect(OpIdentified)
	// A broadcast that waited for the socket would stall one emit until
	// the client's write timeout (writeTimeout, 10 s) or for ever: the
	// slowest single emit tells it, not the total, which only measures
	// how loaded the machine is (200 000 encodes).
	start := time.Now()
	var slowest time.Duration
	for range 200_000 {
		t0 := time.Now()
		f.emit(Event{Type: EventStreamStateChanged, State: OutputStarted, Active: true})
		slowest = max(slowest, time.Since(t0))
	}
	t.Logf("200000 events in %v, slowest emit %v", time.Since(start).Round(time.Millisecond), slowest)
	if slowest >= writeTimeout/2 {
		t.Fatalf("one emit took %v (the client's write timeout is %v): the broadcast blocked on the slow client",
			slowest, writeTimeout)
	}
	n := 0
	for {
		_, _, _, err := c.recv()
		if err != nil {
			if code := websocket.CloseStatus(err); code != websocket.StatusPolicyViolation {
				t.Fatalf("close code %d after %d events, want 1008", code, n)
			}
			break
		}
		n++
	}
	t.Logf("the client got %d events before the close", n)
	if n >= 200_000 {
		t.Fatal("every event arrived: the queue did not fill")
	}
}
