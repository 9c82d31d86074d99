package desktop

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"golive/media/testpeer"
)

// decodeRGB decodes the video of a recording through filter (an ffmpeg
// -vf chain ending in a w x h picture) into rgb24 pictures.
func decodeRGB(t *testing.T, file, filter string, w, h int) [][]byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-i", file,
		"-map", "0:v:0", "-vf", filter, "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1").Output()
	if err != nil {
		t.Fatalf("decode %s: %v", file, err)
	}
	size := w * h * 3
	var pics [][]byte
	for len(out) >= size {
		pics = append(pics, out[:size])
		out = out[size:]
	}
	return pics
}

func meanRGB(p []byte) (r, g, b float64) {
	n := float64(len(p) / 3)
	var sr, sg, sb float64
	for i := 0; i+2 < len(p); i += 3 {
		sr += float64(p[i])
		sg += float64(p[i+1])
		sb += float64(p[i+2])
	}
	return sr / n, sg / n, sb / n
}

func meanAbsDiff(a, b []byte) float64 {
	var s float64
	for i := range a {
		d := int(a[i]) - int(b[i])
		if d < 0 {
			d = -d
		}
		s += float64(d)
	}
	return s / float64(len(a))
}

func within(v, want, tol float64) bool { return v >= want-tol && v <= want+tol }

// liveScreen runs `golive live --source screen` on the desktop (no
// DISPLAY) for dur into a recording and returns its path, with the
// share of the run during which tasks waited for a CPU (0 when unknown).
func liveScreen(t *testing.T, w *testpeer.Wayland, dur time.Duration, size string, extra ...string) (string, float64) {
	t.Helper()
	pressure := testpeer.ReadCPUPressure()
	rec := filepath.Join(t.TempDir(), "screen.mkv")
	args := append([]string{"live", "--source", "screen", "--audio", "test", "--fps", "30", "--size", size,
		"--duration", dur.String(), "--record", rec, "--stats", "json"}, extra...)
	g := runGolive(t, w.Environ(), dur+60*time.Second, nil, args...)
	if g.code != 0 {
		t.Fatalf("golive live: %v", g)
	}
	if n := len(g.stats); n > 0 {
		st := g.stats[n-1]
		t.Logf("golive: %.1f s, frames captured %d encoded %d skipped %d", st.ElapsedS, st.Frames.Captured, st.Frames.Encoded, st.Frames.Skipped)
	}
	share, _ := pressure.Share()
	t.Logf("CPU pressure over the run: %.0f%%", share*100)
	return rec, share
}

// TestWaylandLive streams the screen of a real headless Wayland desktop
// (sway, xdg-desktop-portal, PipeWire; no X display) with `golive live
// --source screen`: on the still screen, every picture has its colour
// and the recording keeps the requested 30 fps although PipeWire sent a
// single picture; on the animated screen, consecutive pictures differ.
func TestWaylandLive(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Wayland desktop and streams in real time")
	}
	testpeer.RequireBinaries(t, "ffmpeg", "ffprobe")
	w := testpeer.StartWayland(t, testpeer.WaylandOptions{})
	t.Run("still", func(t *testing.T) {
		const dur = 8 * time.Second
		rec, busy := liveScreen(t, w, dur, "640x360")
		checkFrameRate(t, rec, dur, busy)
		pics := decodeRGB(t, rec, "scale=64:36", 64, 36)
		bad := 0
		for i, p := range pics {
			if r, g, b := meanRGB(p); !within(r, 200, 8) || !within(g, 40, 8) || !within(b, 120, 8) {
				if bad++; bad <= 3 {
					t.Errorf("picture %d: mean colour (%.1f,%.1f,%.1f), want (200,40,120) ±8", i, r, g, b)
				}
			}
		}
		r, g, b := meanRGB(pics[len(pics)/2])
		t.Logf("%d pictures decoded, %d off colour; middle one (%.1f,%.1f,%.1f)", len(pics), bad, r, g, b)
	})
	t.Run("profile token", func(t *testing.T) { profileToken(t, w) })
	t.Run("animated", func(t *testing.T) {
		w.Animate(t, true)
		defer w.Animate(t, false)
		const dur = 5 * time.Second
		rec, busy := liveScreen(t, w, dur, "1280x720")
		want := checkFrameRate(t, rec, dur, busy)
		// the clock bar at the bottom, redrawn ~30 times a second
		pics := decodeRGB(t, rec, "crop=1280:40:0:680", 1280, 40)
		same := 0
		for i := 1; i < len(pics); i++ {
			if meanAbsDiff(pics[i-1], pics[i]) < 0.05 {
				same++
			}
		}
		t.Logf("%d pictures, %d identical to the one before", len(pics), same)
		// The portal caps the cast at 30 fps like the output: a picture
		// arriving late in its slot makes the next slot a repeat now and
		// then; a frozen capture would repeat nearly all of them.
		if len(pics) < want || same > len(pics)/5 {
			t.Fatalf("%d of %d consecutive pictures identical on an animated screen", same, len(pics))
		}
	})
}

// checkFrameRate wants at least 95 % of the frames 30 fps gives for dur,
// and no decode error, and returns that minimum. On a machine whose CPU
// pressure over the run (busy) shows it overloaded, the capture misses
// slots: the minimum is then 50 % (logged); below that it still fails.
func checkFrameRate(t *testing.T, rec string, dur time.Duration, busy float64) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := testpeer.Analyze(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	percent := 95
	if busy > busyPressure {
		percent = 50
		t.Logf("machine overloaded: tasks waited for a CPU %.0f%% of the run: %d %% of the frames are enough",
			busy*100, percent)
	}
	want := int(dur.Seconds()*30) * percent / 100
	var times []float64
	for _, f := range a.Frames {
		if f.MediaType == "video" {
			times = append(times, f.Time())
		}
	}
	n := len(times)
	gaps := 0
	for i := 1; i < n; i++ {
		if times[i]-times[i-1] > 1.5/30 {
			gaps++
			t.Logf("gap %.3f -> %.3f", times[i-1], times[i])
		}
	}
	if n > 0 {
		t.Logf("first %.3f last %.3f", times[0], times[n-1])
	}
	t.Logf("%d video frames for %v (want >= %d at 30 fps), %d gaps, decode errors %q", n, dur, want, gaps, a.Errors)
	if n < want || len(a.Errors) > 0 {
		t.Fatalf("%d video frames in %v, want >= %d (%d %% of 30 fps); errors %q", n, dur, want, percent, a.Errors)
	}
	return want
}

// profileToken streams a saved profile twice: the first run saves the
// portal's restore token in it (persist_mode 2), the second passes it
// back to SelectSources and streams as well.
func profileToken(t *testing.T, w *testpeer.Wayland) {
	cfg := t.TempDir()
	env := append(w.Environ(), "GOLIVE_CONFIG_DIR="+cfg, "GOLIVE_KEYRING=file")
	rec := filepath.Join(t.TempDir(), "p.mkv")
	for _, args := range [][]string{
		{"profile", "add", "P", "source=screen", "audio=test", "size=640x360"},
		{"profile", "add-dest", "P", "--record", rec, "--name", "rec"},
	} {
		if g := runGolive(t, env, time.Minute, nil, args...); g.code != 0 {
			t.Fatalf("%v: %v", args, g)
		}
	}
	token := func() string {
		b, err := os.ReadFile(filepath.Join(cfg, "profiles.json"))
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`"portal_restore_token": "([^"]+)"`).FindSubmatch(b)
		if m == nil {
			return ""
		}
		return string(m[1])
	}
	for i := range 2 {
		if g := runGolive(t, env, time.Minute, nil, "live", "--profile", "P", "--duration", "2s", "--stats", "json"); g.code != 0 {
			t.Fatalf("run %d: %v", i+1, g)
		}
		if token() == "" {
			t.Fatalf("run %d: no portal_restore_token saved in the profile", i+1)
		}
	}
	t.Logf("restore token kept in the profile: %s", token())
}
