package desktop

import (
	"bufio"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golive/app/session"
	"golive/media/testpeer"
)

// buildFlasher compiles testdata/flasher.c (a fullscreen Wayland window
// that flashes white at given instants) against libwayland-client.
func buildFlasher(t *testing.T) string {
	t.Helper()
	testpeer.RequireBinaries(t, "gcc", "wayland-scanner")
	dir := t.TempDir()
	xml := "/usr/share/wayland-protocols/stable/xdg-shell/xdg-shell.xml"
	src, err := filepath.Abs("testdata/flasher.c")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "flasher")
	for _, c := range [][]string{
		{"wayland-scanner", "client-header", xml, filepath.Join(dir, "xdg-shell-client-protocol.h")},
		{"wayland-scanner", "private-code", xml, filepath.Join(dir, "xdg-shell-protocol.c")},
		{"gcc", "-O2", "-I", dir, "-o", bin, src, filepath.Join(dir, "xdg-shell-protocol.c"), "-lwayland-client"},
	} {
		if out, err := exec.Command(c[0], c[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", c, err, out)
		}
	}
	return bin
}

// TestWaylandAVSync measures lip sync through the portal: a window on the
// Wayland desktop flashes white at the instants the test tone beeps
// (stream clock zero + k s, the clock's wall-clock start read from the
// stats lines); the recording's flash and beep onsets must be within
// ±40 ms of each other.
func TestWaylandAVSync(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Wayland desktop and streams in real time")
	}
	testpeer.RequireBinaries(t, "ffmpeg")
	flasher := buildFlasher(t)
	w := testpeer.StartWayland(t, testpeer.WaylandOptions{})
	rec := filepath.Join(t.TempDir(), "sync.mkv")
	var (
		once sync.Once
		fl   *exec.Cmd
		log  strings.Builder // the flasher's stdout, then its stderr
		errs strings.Builder
		done = make(chan struct{})
	)
	const first, count = 3, 7
	start := func(_ session.Stats, epoch time.Time) {
		once.Do(func() {
			fl = exec.Command(flasher, fmt.Sprint(epoch.UnixNano()), fmt.Sprint(first), fmt.Sprint(count))
			fl.Env = w.Environ()
			out, err := fl.StdoutPipe()
			if err != nil {
				t.Error(err)
				close(done)
				return
			}
			fl.Stderr = &errs
			if err := fl.Start(); err != nil {
				t.Errorf("flasher: %v", err)
				close(done)
				return
			}
			go func() {
				defer close(done)
				sc := bufio.NewScanner(out)
				for sc.Scan() {
					log.WriteString(sc.Text() + "\n")
				}
				_ = fl.Wait()
			}()
		})
	}
	g := runGolive(t, w.Environ(), 90*time.Second, start, "live", "--source", "screen", "--audio", "test",
		"--fps", "30", "--size", "640x360", "--duration", fmt.Sprint(first+count+1)+"s", "--record", rec, "--stats", "json")
	if fl != nil {
		<-done
	}
	t.Logf("flasher:\n%s%s", log.String(), errs.String())
	if g.code != 0 {
		t.Fatalf("golive live: %v", g)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep, err := testpeer.AVSync(ctx, rec, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("flashes %v, beeps %v, offsets %v (mean %v, max |%v|)", rep.Flashes, rep.Beeps, rep.Offsets, rep.MeanOffset, rep.MaxAbsOffset)
	if len(rep.Offsets) < count-1 {
		t.Fatalf("%d flash/beep pairs, want >= %d", len(rep.Offsets), count-1)
	}
	if rep.MaxAbsOffset > 40*time.Millisecond {
		t.Fatalf("A/V offset up to %v through the portal, want within ±40 ms", rep.MaxAbsOffset)
	}
}
