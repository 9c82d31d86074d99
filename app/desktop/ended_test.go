package desktop

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golive/app/cli"
	"golive/app/session"
	"golive/media/testpeer"
)

// TestWaylandSessionEnds stops the whole desktop (compositor, portal,
// PipeWire) while `golive live` captures it: the stream ends cleanly with
// its own message (the recording is finalized and decodes), as with a
// lost X server, within a few seconds.
func TestWaylandSessionEnds(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Wayland desktop and streams in real time")
	}
	testpeer.RequireBinaries(t, "ffprobe")
	w := testpeer.StartWayland(t, testpeer.WaylandOptions{})
	rec := filepath.Join(t.TempDir(), "ended.mkv")
	var once sync.Once
	var stopped time.Time
	stop := func(st session.Stats, _ time.Time) {
		if st.ElapsedS >= 3 {
			once.Do(func() {
				stopped = time.Now()
				go w.Stop()
			})
		}
	}
	g := runGolive(t, w.Environ(), 90*time.Second, stop, "live", "--source", "screen", "--audio", "test",
		"--size", "640x360", "--duration", "60s", "--record", rec, "--stats", "json")
	if stopped.IsZero() {
		t.Fatalf("the stream did not run 3 s: %v", g)
	}
	took := time.Since(stopped)
	t.Logf("ended %v after the desktop was stopped: %v", took.Round(time.Millisecond), g)
	if g.code != cli.ExitFailure || !strings.Contains(g.stderr, "the desktop ended the screen sharing session") {
		t.Errorf("exit %d, stderr %q: want exit 1 and the session-ended message", g.code, g.stderr)
	}
	if strings.Contains(g.stderr, "panic") || took > 15*time.Second {
		t.Errorf("ended after %v: %s", took, g.stderr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := testpeer.Analyze(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	if n := a.Count("video"); n < 80 || len(a.Errors) > 0 {
		t.Errorf("recording: %d video frames, errors %q", n, a.Errors)
	}
}
