package ui

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"golive/app/control"
	"golive/app/profile"
)

// wsClient is a minimal obs-websocket client for the window's tests.
type wsClient struct {
	t  *testing.T
	ws *websocket.Conn
}

func (c *wsClient) send(op int, d any) {
	c.t.Helper()
	b, _ := json.Marshal(map[string]any{"op": op, "d": d})
	if err := c.ws.Write(context.Background(), websocket.MessageText, b); err != nil {
		c.t.Fatal(err)
	}
}

func (c *wsClient) recv() (int, map[string]any) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, b, err := c.ws.Read(ctx)
	if err != nil {
		c.t.Fatal(err)
	}
	var m struct {
		Op int            `json:"op"`
		D  map[string]any `json:"d"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		c.t.Fatal(err)
	}
	return m.Op, m.D
}

// call sends a request and returns its response; events read meanwhile
// are appended to events.
func (c *wsClient) call(typ string, data map[string]any, events *[]string) map[string]any {
	c.t.Helper()
	c.send(6, map[string]any{"requestType": typ, "requestId": typ, "requestData": data})
	for {
		op, d := c.recv()
		if op == 5 {
			if ed, ok := d["eventData"].(map[string]any); ok && d["eventType"] == "StreamStateChanged" {
				*events = append(*events, ed["outputState"].(string))
			}
			continue
		}
		return d
	}
}

// TestRemoteControlDrivesTheWindow: Settings → Remote control exists;
// an obs-websocket client starts the window's stream, stops and starts
// one destination, and ends the stream; the events follow the window.
func TestRemoteControlDrivesTheWindow(t *testing.T) {
	store, st := newTestStore(t)
	p := profile.DefaultProfile()
	p.Name = "Two"
	p.Capture = profile.Capture{Source: profile.SourceTest, Audio: profile.AudioNone}
	p.Destinations = []profile.Destination{rtmpDest("A", "live", true), rtmpDest("B", "live2", true)}
	if err := store.Put(p); err != nil {
		t.Fatal(err)
	}
	if err := store.Select("Two"); err != nil {
		t.Fatal(err)
	}
	eng := &fakeEngine{}
	w := newTestWindow(t, st, eng)
	w.inlineOps = false
	menu := w.win.MainMenu()
	if menu == nil || menu.Items[0].Label != "Settings" || !strings.HasPrefix(menu.Items[0].Items[0].Label, "Remote control") {
		t.Fatalf("no Settings → Remote control menu: %+v", menu)
	}
	r := &remoteControl{w: w, ctl: &windowController{w: w}, password: "window-pw"}
	if err := r.run("127.0.0.1:0", ""); err != nil {
		t.Fatal(err)
	}
	defer r.stopServers()
	addr := strings.TrimPrefix(r.status, "Listening on ")
	ws, _, err := websocket.Dial(context.Background(), addr, &websocket.DialOptions{Subprotocols: []string{control.Subprotocol}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ws.CloseNow() }()
	c := &wsClient{t: t, ws: ws}
	_, hello := c.recv()
	a := hello["authentication"].(map[string]any)
	c.send(1, map[string]any{"rpcVersion": 1, "authentication": control.AuthString("window-pw", a["salt"].(string), a["challenge"].(string))})
	if op, _ := c.recv(); op != 2 {
		t.Fatalf("not identified: op %d", op)
	}
	var events []string
	if res := c.call("StartStream", nil, &events); res["requestStatus"].(map[string]any)["result"] != true {
		t.Fatalf("StartStream: %v", res)
	}
	if phaseNow(w) != phaseLive {
		t.Fatalf("the window is not live")
	}
	checkWindowMetrics(t, r)
	c.call("StopOutput", map[string]any{"outputName": "A"}, &events)
	c.call("StartOutput", map[string]any{"outputName": "A"}, &events)
	wantCalls(t, eng.live, "stop A", "start A")
	res := c.call("GetStreamStatus", nil, &events)
	if res["responseData"].(map[string]any)["outputActive"] != true {
		t.Fatalf("GetStreamStatus: %v", res)
	}
	c.call("StopStream", nil, &events)
	if phaseNow(w) != phaseIdle {
		t.Fatalf("the window is still live")
	}
	deadline := time.Now().Add(3 * time.Second)
	for len(events) < 4 && time.Now().Before(deadline) {
		c.call("GetVersion", nil, &events)
		time.Sleep(100 * time.Millisecond)
	}
	want := "OBS_WEBSOCKET_OUTPUT_STARTING OBS_WEBSOCKET_OUTPUT_STARTED OBS_WEBSOCKET_OUTPUT_STOPPING OBS_WEBSOCKET_OUTPUT_STOPPED"
	if strings.Join(events, " ") != want {
		t.Fatalf("events %v, want %s", events, want)
	}
}

// phaseNow reads the window's phase as a hop does: the remote control's
// goroutines hop to the window meanwhile.
func phaseNow(w *mainWindow) (ph phase) {
	onMainWait(func() { ph = w.phase })
	return ph
}

// checkWindowMetrics: `golive --metrics ADDR` serves the live window's
// per-destination series.
func checkWindowMetrics(t *testing.T, r *remoteControl) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	stop := r.startMetrics(addr)
	defer stop()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, want := range []string{`golive_output_bytes_total{kind="",output="A"}`, `golive_output_state{kind="",output="B",state="live"} 1`, "golive_live 1"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s:\n%s", want, body)
		}
	}
}
