package control_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"

	"golive/app/cli"
	"golive/app/profile"
	"golive/media/testpeer"
)

// TestOBSWebSocketJS drives `golive serve` (the real command line, in
// this process) with the obs-websocket-js 5 client from npm: a profile of
// two nginx-rtmp destinations is chosen, streamed, one destination is
// stopped and started again while the other's pulled stream goes on
// without a gap, then the stream ends. The metrics endpoint is scraped
// during the stream. No message carries a stream key.
func TestOBSWebSocketJS(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time stream against nginx-rtmp (about 30 s)")
	}
	testpeer.RequireBinaries(t, "nginx", "ffprobe", "curl")
	mods := obsWebSocketJS(t)
	ng := testpeer.StartNginxRTMP(t)
	const keyA, keyB = "keyA-7d1f0c3e99secret", "keyB-5a2b8e4f11secret"
	dir := t.TempDir()
	kr := &profile.MemoryKeyring{}
	base := fmt.Sprintf("rtmp://127.0.0.1:%d/", ng.RTMPPort)
	writeProfiles(t, dir, kr, base+"live", base+"live2", keyA, keyB)
	pwFile := filepath.Join(dir, "pw.txt")
	const password = "stream-deck-pw 42"
	if err := os.WriteFile(pwFile, []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	listen := fmt.Sprintf("127.0.0.1:%d", testpeer.FreePort(t))
	metrics := fmt.Sprintf("127.0.0.1:%d", testpeer.FreePort(t))

	ctx, cancel := context.WithCancel(context.Background())
	var stderr testpeer.LockedBuffer
	code := make(chan int, 1)
	go func() {
		code <- cli.Main(ctx, []string{"serve", "--profile", "Idle", "--listen", listen,
			"--password-file", pwFile, "--metrics", metrics},
			cli.Env{Stdout: &stderr, Stderr: &stderr, ConfigDir: dir, Keyring: kr})
	}()
	defer func() {
		cancel()
		if c := <-code; c != 0 {
			t.Errorf("golive serve exit code %d: %s", c, stderr.String())
		}
		for _, k := range []string{keyA, keyB} {
			if strings.Contains(stderr.String(), k) {
				t.Errorf("a stream key in golive serve's output: %s", stderr.String())
			}
		}
	}()
	waitListening(t, listen, &stderr)

	js := startJS(t, mods, "OBS_URL=ws://"+listen, "OBS_PASSWORD="+password,
		"OBS_PROFILE=Two nginx", "OBS_OUTPUT_A=nginx A")
	steps := js.until("live")
	checkStart(t, steps)
	waitPublishing(t, ng, "live", keyA, true)
	waitPublishing(t, ng, "live2", keyB, true)
	pullA := pullLive(t, ng.RTMPURL("live", keyA))
	pullB := pullLive(t, ng.RTMPURL("live2", keyB))
	checkMetrics(t, "http://"+metrics+"/metrics")
	pullA.waitFrames(t, 45, 15*time.Second)
	pullB.waitFrames(t, 45, 15*time.Second)

	t.Logf("before StopOutput: pull A %d bytes out, %q; pull B %d bytes out, %q", len(pullA.stdout.String()), pullA.stderr.String(), len(pullB.stdout.String()), pullB.stderr.String())
	js.next() // StopOutput "nginx A"
	js.until("stopped-a")
	waitPublishing(t, ng, "live", keyA, false)
	if _, err := ng.DropSubscribers("live", keyA); err != nil {
		t.Logf("drop the players of A: %v", err)
	}
	pullA.stop()
	if n := len(pullA.frames()); n < 30 {
		t.Fatalf("destination A before its stop: %d frames decoded; stderr: %s", n, pullA.stderr.String())
	}
	time.Sleep(2 * time.Second)

	js.next() // StartOutput "nginx A"
	js.until("started-a")
	waitPublishing(t, ng, "live", keyA, true)
	pullA2 := pullLive(t, ng.RTMPURL("live", keyA))
	pullA2.waitFrames(t, 60, 15*time.Second)
	pullA2.stop()
	pullB.stop()
	js.next() // StopStream and the rest
	steps = js.until("done")

	checkDecoded(t, "A after StartOutput", pullA2, 60)
	checkDecoded(t, "B through A's stop and start", pullB, 200)
	if g := maxGap(pullB.frames()); g > 0.2 {
		t.Errorf("destination B: a gap of %.3f s in its stream while A stopped and started", g)
	}
	checkEnd(t, steps)
	for _, k := range []string{keyA, keyB, "secret"} {
		if strings.Contains(js.output(), k) {
			t.Errorf("a response or event holds a stream key (%q)", k)
		}
	}
}

func waitListening(t *testing.T, addr string, log *testpeer.LockedBuffer) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if strings.Contains(log.String(), "ws://"+addr) {
			return
		}
	}
	t.Fatalf("golive serve did not start: %s", log.String())
}

// waitPublishing waits until nginx shows the stream published (or not).
func waitPublishing(t *testing.T, ng *testpeer.Nginx, app, key string, want bool) {
	t.Helper()
	for deadline := time.Now().Add(8 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		st, err := ng.Stat()
		if err != nil {
			continue
		}
		s := st.Stream(app, key)
		if (s != nil && s.Publishing != nil) == want {
			return
		}
	}
	t.Fatalf("nginx %s/…: publishing should be %v", app, want)
}

func checkDecoded(t *testing.T, what string, p *pull, minFrames int) {
	t.Helper()
	n := len(p.frames())
	errs := strings.TrimSpace(p.stderr.String())
	t.Logf("%s: %d frames decoded, max gap %.3f s", what, n, maxGap(p.frames()))
	if n < minFrames || errs != "" {
		t.Errorf("%s: %d frames decoded (want at least %d), decode errors: %q", what, n, minFrames, errs)
	}
}

func data(t *testing.T, s jsStep) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(s.Data, &m); err != nil {
		t.Fatalf("%s: %v", s.raw, err)
	}
	return m
}

// checkStart checks what came before "live": version, profiles, status.
func checkStart(t *testing.T, steps map[string][]jsStep) {
	t.Helper()
	v := data(t, steps["GetVersion"][0])
	if v["platform"] != "GoLive" || v["rpcVersion"] != float64(1) {
		t.Errorf("GetVersion: %v", v)
	}
	lists := steps["GetProfileList"]
	if len(lists) != 2 || data(t, lists[0])["currentProfileName"] != "Idle" ||
		data(t, lists[1])["currentProfileName"] != "Two nginx" ||
		!strings.Contains(string(lists[0].Data), `"Two nginx"`) {
		t.Errorf("GetProfileList before and after SetCurrentProfile: %v", lists)
	}
	outs := string(steps["GetOutputList"][0].Data)
	if !strings.Contains(outs, `"outputName":"nginx A"`) || !strings.Contains(outs, `"outputName":"nginx B"`) {
		t.Errorf("GetOutputList: %s", outs)
	}
	st := steps["GetStreamStatus"]
	if len(st) != 2 {
		t.Fatalf("GetStreamStatus answers: %v", st)
	}
	first, second := data(t, st[0]), data(t, st[1])
	t.Logf("outputBytes %v then %v", first["outputBytes"], second["outputBytes"])
	if first["outputActive"] != true || second["outputActive"] != true {
		t.Errorf("GetStreamStatus while live: %v, %v", first, second)
	}
	b1, _ := first["outputBytes"].(float64)
	b2, _ := second["outputBytes"].(float64)
	if b1 <= 0 || b2 <= b1 {
		t.Errorf("outputBytes %v then %v: want growing", b1, b2)
	}
}

// checkEnd checks the stop, the events' order and the refusals.
func checkEnd(t *testing.T, steps map[string][]jsStep) {
	t.Helper()
	var states []string
	var evs []struct {
		Type string         `json:"type"`
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal(steps["events"][0].Data, &evs); err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if e.Type == "StreamStateChanged" {
			states = append(states, fmt.Sprint(e.Data["outputState"]))
		}
	}
	want := []string{"OBS_WEBSOCKET_OUTPUT_STARTING", "OBS_WEBSOCKET_OUTPUT_STARTED",
		"OBS_WEBSOCKET_OUTPUT_STOPPING", "OBS_WEBSOCKET_OUTPUT_STOPPED"}
	if strings.Join(states, " ") != strings.Join(want, " ") {
		t.Errorf("StreamStateChanged events %v, want %v", states, want)
	}
	if got := data(t, steps["GetStreamStatus"][len(steps["GetStreamStatus"])-1]); got["outputActive"] != false {
		t.Errorf("GetStreamStatus after StopStream: %v", got)
	}
	if c := data(t, steps["unknown"][0])["code"]; c != float64(204) {
		t.Errorf("unknown request type: code %v, want 204", c)
	}
	if c := data(t, steps["wrong-password"][0])["code"]; c != float64(4009) {
		t.Errorf("wrong password: %s, want close code 4009", steps["wrong-password"][0].Data)
	}
	if mp := steps["msgpack"]; len(mp) != 1 || data(t, mp[0])["outputActive"] != false {
		t.Errorf("GetStreamStatus over obswebsocket.msgpack: %v", mp)
	}
	if c := data(t, steps["before-identify"][0])["code"]; c != float64(4007) {
		t.Errorf("request before Identify: %s, want close code 4007", steps["before-identify"][0].Data)
	}
}

// checkMetrics fetches the metrics with curl, has promtool check them (CI
// installs it) and parses them: every destination has its series.
func checkMetrics(t *testing.T, url string) {
	t.Helper()
	body, err := exec.Command("curl", "-sSf", "--max-time", "10", url).Output()
	if err != nil {
		t.Fatalf("curl %s: %v", url, err)
	}
	if _, err := exec.LookPath("promtool"); err == nil {
		cmd := exec.Command("promtool", "check", "metrics")
		cmd.Stdin = bytes.NewReader(body)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool check metrics: %v\n%s", err, out)
		}
	} else if os.Getenv("CI") != "" {
		t.Errorf("promtool not found: .ci/deps installs the prometheus package")
	}
	var parser expfmt.TextParser
	fams, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("the metrics do not parse as Prometheus text: %v", err)
	}
	for _, name := range []string{"golive_output_bytes_total", "golive_output_state", "golive_output_dropped_frames_total",
		"golive_output_reconnects_total", "golive_output_queue_seconds", "golive_output_send_rate_bytes_per_second"} {
		f := fams[name]
		if f == nil {
			t.Errorf("metric %s missing", name)
			continue
		}
		seen := map[string]bool{}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "output" {
					seen[l.GetValue()] = true
				}
			}
		}
		if !seen["nginx A"] || !seen["nginx B"] {
			t.Errorf("metric %s: series for %v, want nginx A and nginx B", name, seen)
		}
	}
	for _, name := range []string{"golive_encoder_fps", "golive_encoder_skipped_frames_total",
		"process_cpu_seconds_total", "process_resident_memory_bytes"} {
		if fams[name] == nil {
			t.Errorf("metric %s missing", name)
		}
	}
}
