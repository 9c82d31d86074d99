package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golive/app/profile"
	"golive/media/testpeer"
)

// destHarness runs golive commands in this process against one
// configuration directory.
type destHarness struct {
	t   *testing.T
	dir string
	kr  profile.Keyring
	all strings.Builder // every output, for the password check
}

func (h *destHarness) run(stdin string, args ...string) (code int, stdout, stderr string) {
	h.t.Helper()
	var out, errb bytes.Buffer
	env := Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(stdin), ConfigDir: h.dir, Keyring: h.kr}
	start := time.Now()
	code = Main(context.Background(), args, env)
	h.t.Logf("golive %s: exit %d in %v\n%s%s", strings.Join(args, " "), code, time.Since(start).Round(time.Millisecond), out.String(), errb.String())
	h.all.WriteString(out.String() + errb.String())
	return code, out.String(), errb.String()
}

// listJSON is `golive dest list --json`, by name.
func (h *destHarness) listJSON(addr string) map[string]destInfo {
	h.t.Helper()
	code, out, _ := h.run("", "dest", "list", "--json", "--addr", addr)
	var ds []destInfo
	if code != ExitOK || json.Unmarshal([]byte(out), &ds) != nil {
		h.t.Fatalf("golive dest list --json: exit %d, %q", code, out)
	}
	m := map[string]destInfo{}
	for _, d := range ds {
		m[d.Name] = d
	}
	return m
}

// TestDestCommandsDriveServe starts `golive serve` (test pattern, two
// nginx-rtmp destinations) and drives it with `golive status` and `golive
// dest`: nothing running, a wrong password and an unknown name each get
// their message; `dest start` puts one destination live (nginx receives
// it, the other stays off) and `dest stop` stops it, as the stats show.
func TestDestCommandsDriveServe(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time stream against nginx-rtmp")
	}
	testpeer.RequireBinaries(t, "nginx")
	ng := testpeer.StartNginxRTMP(t)
	h := &destHarness{t: t, dir: t.TempDir(), kr: &profile.MemoryKeyring{}}
	writeDestProfile(t, h, ng)
	const password = "cli-control pw 7"
	pwFile := filepath.Join(h.dir, "pw.txt")
	if err := os.WriteFile(pwFile, []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", testpeer.FreePort(t))
	if code, _, stderr := h.run("", "status", "--addr", addr, "--password-file", pwFile); code != ExitFailure ||
		!strings.Contains(stderr, "no GoLive is running with its remote control on "+addr+": start `golive serve`") {
		t.Fatalf("status with nothing running: exit %d, %q", code, stderr)
	}
	stopServe := startServe(t, h, addr, pwFile)
	defer stopServe()

	t.Setenv(ControlPasswordEnv, "not the password")
	if code, _, stderr := h.run("", "dest", "list", "--addr", addr); code != ExitFailure ||
		!strings.Contains(stderr, "the GoLive on "+addr+" refused the password (from $GOLIVE_CONTROL_PASSWORD)") {
		t.Fatalf("dest list with a wrong password: exit %d, %q", code, stderr)
	}
	t.Setenv(ControlPasswordEnv, password)
	if ds := h.listJSON(addr); len(ds) != 2 || ds["nginx A"].Active || ds["nginx A"].State != "idle" || ds["nginx B"].Active {
		t.Fatalf("before start: %+v", ds)
	}
	if code, _, stderr := h.run("", "dest", "start", "nginx C", "--addr", addr); code != ExitUsage ||
		!strings.Contains(stderr, `no destination "nginx C" in the running GoLive's profile (it has: "nginx A", "nginx B")`) {
		t.Fatalf("dest start of an unknown name: exit %d, %q", code, stderr)
	}

	if code, out, _ := h.run("", "dest", "start", "nginx A", "--addr", addr); code != ExitOK || out != "nginx A: live\n" {
		t.Fatalf("dest start: exit %d, %q", code, out)
	}
	waitNginx(t, ng, "a", true)
	time.Sleep(time.Second)
	ds := h.listJSON(addr)
	if a, b := ds["nginx A"], ds["nginx B"]; !a.Active || a.State != "live" || a.Bytes == 0 || b.Active || b.State != "idle" {
		t.Fatalf("after dest start: A %+v, B %+v", a, b)
	}
	code, out, _ := h.run("", "status", "--json", "--addr", addr)
	var st statusReport
	if code != ExitOK || json.Unmarshal([]byte(out), &st) != nil || !st.Live || st.Platform != "GoLive" ||
		st.Profile != "CLI control" || st.Encoded == 0 {
		t.Fatalf("status --json while live: exit %d, %+v", code, st)
	}
	if code, out, _ := h.run("", "status", "--addr", addr); code != ExitOK ||
		!strings.Contains(out, `profile "CLI control", live for`) || !strings.Contains(out, "nginx A  rtmp  live") {
		t.Fatalf("status while live: exit %d, %q", code, out)
	}

	t.Setenv(ControlPasswordEnv, "")
	if code, out, _ := h.run(password+"\n", "dest", "stop", "nginx A", "--addr", addr, "--password-file", "-"); code != ExitOK ||
		out != "nginx A: stopped\n" {
		t.Fatalf("dest stop: exit %d, %q", code, out)
	}
	waitNginx(t, ng, "a", false)
	if a := h.listJSON2(addr, pwFile)["nginx A"]; a.Active {
		t.Fatalf("after dest stop: A %+v", a)
	}
	if strings.Contains(h.all.String(), password) {
		t.Fatalf("the password shows in an output:\n%s", h.all.String())
	}
}

// listJSON2 is listJSON with the password from a file.
func (h *destHarness) listJSON2(addr, pwFile string) map[string]destInfo {
	h.t.Setenv(ControlPasswordEnv, "")
	code, out, _ := h.run("", "dest", "list", "--json", "--addr", addr, "--password-file", pwFile)
	var ds []destInfo
	if code != ExitOK || json.Unmarshal([]byte(out), &ds) != nil {
		h.t.Fatalf("golive dest list --json --password-file: exit %d, %q", code, out)
	}
	m := map[string]destInfo{}
	for _, d := range ds {
		m[d.Name] = d
	}
	return m
}

// writeDestProfile saves "CLI control": the test pattern at 640x360 to
// two nginx-rtmp destinations, keys "a" and "b".
func writeDestProfile(t *testing.T, h *destHarness, ng *testpeer.Nginx) {
	t.Helper()
	st := &profile.Store{Dir: h.dir, Keyring: h.kr}
	if err := st.Open(); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p := profile.DefaultProfile()
	p.Name = "CLI control"
	p.Capture.Source, p.Capture.Audio = profile.SourceTest, profile.AudioTest
	p.Encoder.Width, p.Encoder.Height, p.Encoder.FPS, p.Encoder.VideoBitrate = 640, 360, 30, 800_000
	p.Destinations = nil
	for _, key := range []string{"a", "b"} {
		d, err := profile.ParseRTMPFlag(ng.RTMPURL("live", key), "")
		if err != nil {
			t.Fatal(err)
		}
		d.Name = "nginx " + strings.ToUpper(key)
		p.Destinations = append(p.Destinations, d)
	}
	if err := st.Add(p); err != nil {
		t.Fatal(err)
	}
}

// startServe runs `golive serve` in this process until the returned
// function is called.
func startServe(t *testing.T, h *destHarness, addr, pwFile string) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var log testpeer.LockedBuffer
	code := make(chan int, 1)
	go func() {
		code <- Main(ctx, []string{"serve", "--profile", "CLI control", "--listen", addr, "--password-file", pwFile},
			Env{Stdout: &log, Stderr: &log, ConfigDir: h.dir, Keyring: h.kr})
	}()
	for deadline := time.Now().Add(15 * time.Second); !strings.Contains(log.String(), "ws://"+addr); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("golive serve did not start: %s", log.String())
		}
	}
	return func() {
		cancel()
		if c := <-code; c != ExitOK {
			t.Errorf("golive serve: exit %d\n%s", c, log.String())
		}
	}
}

// waitNginx waits until nginx has (or no longer has) a publisher on
// live/key; a publisher must also deliver bytes.
func waitNginx(t *testing.T, ng *testpeer.Nginx, key string, publishing bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		st, err := ng.Stat()
		if err != nil {
			continue
		}
		s := st.Stream("live", key)
		if got := s != nil && s.Publishing != nil; got == publishing && (!publishing || s.BytesIn > 0) {
			return
		}
	}
	t.Fatalf("nginx live/%s: publishing should be %v", key, publishing)
}
