package control_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golive/app/profile"
	"golive/media/testpeer"
)

// obsWebSocketJS installs obs-websocket-js 5 from npm once into the user's
// cache directory and returns its node_modules folder.
func obsWebSocketJS(t *testing.T) string {
	t.Helper()
	testpeer.RequireBinaries(t, "node", "npm")
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "golive-test", "obs-websocket-js")
	mods := filepath.Join(dir, "node_modules")
	if _, err := os.Stat(filepath.Join(mods, "obs-websocket-js", "package.json")); err == nil {
		return mods
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "obs-websocket-js@5")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm install obs-websocket-js@5: %v\n%s", err, out)
	}
	return mods
}

// jsStep is one line printed by testdata/obsclient.js.
type jsStep struct {
	Step string          `json:"step"`
	Data json.RawMessage `json:"data"`
	raw  string
}

// jsClient is obsclient.js running under node.
type jsClient struct {
	t     *testing.T
	stdin io.WriteCloser
	steps chan jsStep
	mu    sync.Mutex
	out   strings.Builder // every line, for the stream-key check
	errb  testpeer.LockedBuffer
	done  chan error
}

func startJS(t *testing.T, mods string, env ...string) *jsClient {
	t.Helper()
	script, err := filepath.Abs("testdata/obsclient.js")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	cmd := exec.CommandContext(ctx, "node", script)
	cmd.Env = append(append(os.Environ(), "NODE_PATH="+mods), env...)
	j := &jsClient{t: t, steps: make(chan jsStep, 64), done: make(chan error, 1)}
	cmd.Stderr = &j.errb
	if j.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			j.mu.Lock()
			j.out.WriteString(sc.Text() + "\n")
			j.mu.Unlock()
			var s jsStep
			if json.Unmarshal(sc.Bytes(), &s) == nil {
				s.raw = sc.Text()
				j.steps <- s
			}
		}
		close(j.steps)
		j.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		cancel()
		_ = j.stdin.Close()
	})
	return j
}

// until reads steps until the named one, returning every step read.
func (j *jsClient) until(step string) map[string][]jsStep {
	j.t.Helper()
	got := map[string][]jsStep{}
	for s := range j.steps {
		j.t.Logf("js: %s", shorten(s.raw, 400))
		got[s.Step] = append(got[s.Step], s)
		if s.Step == "error" {
			j.t.Fatalf("obs-websocket-js: %s\nstderr: %s", s.Data, j.errb.String())
		}
		if s.Step == step {
			return got
		}
	}
	j.t.Fatalf("obs-websocket-js ended before %q: %v\nstderr: %s", step, <-j.done, j.errb.String())
	return nil
}

func (j *jsClient) next() {
	if _, err := io.WriteString(j.stdin, "next\n"); err != nil {
		j.t.Fatalf("tell the client to go on: %v", err)
	}
}

func (j *jsClient) output() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.out.String()
}

func shorten(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// pull is an ffmpeg decoding a live RTMP stream's video (framecrc: one
// line per decoded frame with its time stamp), and any error it prints.
type pull struct {
	cmd    *exec.Cmd
	stdout testpeer.LockedBuffer
	stderr testpeer.LockedBuffer
	done   chan struct{}
}

func startPull(t *testing.T, url string) *pull {
	t.Helper()
	p := &pull{done: make(chan struct{})}
	p.cmd = exec.Command("ffmpeg", "-nostdin", "-v", "error", "-rw_timeout", "15000000", "-i", url,
		"-map", "0:v:0", "-copyts", "-flush_packets", "1", "-f", "framecrc", "-")
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(p.stop)
	return p
}

// pullLive starts a pull of a published stream, again when ffmpeg gives
// up at once (nginx can refuse a player in the instant a publisher
// starts).
func pullLive(t *testing.T, url string) *pull {
	t.Helper()
	for attempt := 1; ; attempt++ {
		p := startPull(t, url)
		select {
		case <-p.done:
			if attempt < 3 && len(p.frames()) == 0 {
				t.Logf("pull of %s ended at once (%s): again", url, strings.TrimSpace(p.stderr.String()))
				continue
			}
		case <-time.After(2 * time.Second):
		}
		return p
	}
}

// waitFrames waits until the pull decoded n frames.
func (p *pull) waitFrames(t *testing.T, n int, within time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if len(p.frames()) >= n {
			return
		}
	}
	t.Fatalf("the pull decoded %d frames in %v, want %d; stderr: %s", len(p.frames()), within, n, p.stderr.String())
}

// stop ends the pull (SIGINT, then a kill) and waits for it; a pull
// whose stream was ended gets a few seconds to finish on its own.
func (p *pull) stop() {
	select {
	case <-p.done:
		return
	case <-time.After(500 * time.Millisecond):
	}
	testpeer.StopProcess(p.cmd.Process, p.done, os.Interrupt, 3*time.Second)
}

// frames returns the decoded video frames' times in seconds, in order.
func (p *pull) frames() []float64 {
	var out []float64
	tb := 0.0
	for _, l := range strings.Split(p.stdout.String(), "\n") {
		var num, den float64
		if n, _ := fmt.Sscanf(l, "#tb 0: %g/%g", &num, &den); n == 2 && den > 0 {
			tb = num / den
			continue
		}
		f := strings.Split(l, ",")
		if tb == 0 || len(f) < 3 || strings.TrimSpace(f[0]) != "0" {
			continue
		}
		if pts, err := strconv.ParseFloat(strings.TrimSpace(f[2]), 64); err == nil {
			out = append(out, pts*tb)
		}
	}
	return out
}

// maxGap is the largest step between consecutive frame times.
func maxGap(ts []float64) float64 {
	g := 0.0
	for i := 1; i < len(ts); i++ {
		g = max(g, ts[i]-ts[i-1])
	}
	return g
}

// writeProfiles creates the profiles of the test in dir: "Idle" (a
// recording, never started) and "Two nginx" (two RTMP destinations).
func writeProfiles(t *testing.T, dir string, kr profile.Keyring, urlA, urlB, keyA, keyB string) {
	t.Helper()
	st := &profile.Store{Dir: dir, Keyring: kr}
	if err := st.Open(); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	base := profile.DefaultProfile()
	base.Capture.Source, base.Capture.Audio = profile.SourceTest, profile.AudioTest
	base.Encoder.Width, base.Encoder.Height, base.Encoder.FPS, base.Encoder.VideoBitrate = 640, 360, 30, 800_000
	idle := base.Clone()
	idle.Name = "Idle"
	rec, err := profile.ParseRecordFlag(filepath.Join(dir, "idle.mkv"))
	if err != nil {
		t.Fatal(err)
	}
	idle.Destinations = []profile.Destination{rec}
	two := base.Clone()
	two.Name = "Two nginx"
	two.Destinations = nil
	for i, u := range []string{urlA, urlB} {
		d, err := profile.ParseRTMPFlag(u, []string{keyA, keyB}[i])
		if err != nil {
			t.Fatal(err)
		}
		d.Name = fmt.Sprintf("nginx %c", 'A'+i)
		two.Destinations = append(two.Destinations, d)
	}
	for _, p := range []profile.Profile{idle, two} {
		if err := st.Add(p); err != nil {
			t.Fatalf("add profile %q: %v", p.Name, err)
		}
	}
}
