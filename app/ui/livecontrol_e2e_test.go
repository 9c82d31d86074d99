package ui

import (
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"golive/app/profile"
	"golive/media/testpeer"
)

// TestLiveControlEndToEnd drives the window's rows against a real session
// and nginx-rtmp: live to two applications, Stop one row (its nginx stream
// ends while the other's pulled stream goes on without a gap), Start it
// again (pulled back, decodes), and add a third destination while live
// (published within 3 s).
func TestLiveControlEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time encode, nginx and ffmpeg")
	}
	testpeer.RequireBinaries(t, "nginx", "ffmpeg", "ffprobe")
	ng := testpeer.StartNginxRTMP(t)
	base := "rtmp://127.0.0.1:" + strconv.Itoa(ng.RTMPPort)
	dst := func(name, app, key string) profile.Destination {
		return profile.Destination{Name: name, Kind: profile.KindRTMP, Enabled: true,
			RTMP: &profile.RTMP{Service: "custom", URL: base + "/" + app, Key: key}}
	}
	raw, store := newTestStore(t)
	p := profile.DefaultProfile()
	p.Name = "E2E"
	p.Capture = profile.Capture{Source: profile.SourceTest, Audio: profile.AudioTest}
	p.Encoder.Width, p.Encoder.Height, p.Encoder.VideoBitrate = 640, 360, 800_000
	p.Destinations = []profile.Destination{dst("One", "live", "one"), dst("Two", "live2", "two")}
	if err := raw.Put(p); err != nil {
		t.Fatal(err)
	}
	if err := raw.Select(p.Name); err != nil {
		t.Fatal(err)
	}
	w := newTestWindowOn(t, test.NewTempApp(t), store, &sessionEngine{log: testLogger(t)})
	w.inlineOps = false // the real asynchronous path
	test.Tap(w.action.button)
	w.bg.Wait()
	if w.phase != phaseLive {
		t.Fatalf("not live: %q", w.notices.Text("engine"))
	}
	waitPublished(t, ng, "live", "one", true, 5*time.Second)
	waitPublished(t, ng, "live2", "two", true, 5*time.Second)

	// Pull Two for the whole test. A player joins at a key frame (up to
	// a GOP, 2 s, after it connects): One is stopped only once Two's pull
	// is past its join, and Two's frames are checked for gaps from
	// joinedBy on (the stop comes later in Two's time however slowly
	// ffmpeg started).
	pulled := filepath.Join(t.TempDir(), "two.flv")
	pull := pullRTMP(t, base+"/live2/two", pulled, 13*time.Second)
	time.Sleep(joinedBy)

	w.tick()
	one := w.dests.row("One")
	if one.toggle.Text != labelStop {
		t.Fatalf("row One offers %q while live", one.toggle.Text)
	}
	test.Tap(one.toggle)
	w.bg.Wait()
	waitPublished(t, ng, "live", "one", false, 3*time.Second)
	w.tick()
	if one.state.Text != "stopped" {
		t.Fatalf("row One shows %q after Stop", one.state.Text)
	}
	time.Sleep(2 * time.Second)

	test.Tap(one.toggle)
	w.bg.Wait()
	waitPublished(t, ng, "live", "one", true, 3*time.Second)
	back := filepath.Join(t.TempDir(), "one.flv")
	if err := pullRTMP(t, base+"/live/one", back, 2*time.Second).Wait(); err != nil {
		t.Fatalf("pulling One back: %v", err)
	}
	checkDecodes(t, "One after Start", back, 1.5)

	added := time.Now()
	if err := w.dests.put(-1, dst("Three", "live", "three")); err != nil {
		t.Fatal(err)
	}
	waitPublished(t, ng, "live", "three", true, 3*time.Second)
	t.Logf("Three published %v after it was added", time.Since(added).Round(10*time.Millisecond))

	if err := pull.Wait(); err != nil {
		t.Fatalf("pulling Two: %v", err)
	}
	a := checkDecodes(t, "Two", pulled, 10)
	var prev, largest float64 = -1, 0
	for _, f := range a.Frames {
		if f.MediaType != "video" || f.Time() < joinedBy.Seconds()-1 {
			continue
		}
		if ts := f.Time(); prev >= 0 && ts-prev > 0.25 {
			t.Fatalf("Two's pulled stream has a gap of %.2f s at %.2f s (while One was stopped and started)", ts-prev, prev)
		}
		if prev >= 0 {
			largest = max(largest, f.Time()-prev)
		}
		prev = f.Time()
	}
	t.Logf("Two's pulled stream: largest step between frames %.0f ms (limit 250 ms)", largest*1000)
}

// joinedBy is how long TestLiveControlEndToEnd lets Two's player join
// (connect, then wait for a key frame) before it stops One.
const joinedBy = 4 * time.Second

// waitPublished waits until nginx has (or no longer has) a publisher on
// app/name.
func waitPublished(t *testing.T, ng *testpeer.Nginx, app, name string, want bool, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		st, err := ng.Stat()
		if err == nil {
			s := st.Stream(app, name)
			if (s != nil && s.Publishing != nil) == want {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/%s published = %v after %v, want %v", app, name, !want, within, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// pullRTMP records d of an RTMP stream into path with ffmpeg.
func pullRTMP(t *testing.T, url, path string, d time.Duration) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-rw_timeout", "5000000",
		"-i", url, "-t", strconv.FormatFloat(d.Seconds(), 'f', 1, 64), "-c", "copy", "-y", path)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return cmd
}

// checkDecodes decodes a recording: at least minSeconds of H.264 video
// (from its first to its last frame) without a decode error, at no less
// than minPulledFPS (an encoder on an overloaded machine skips frames:
// the count is logged below 25 a second).
func checkDecodes(t *testing.T, what, path string, minSeconds float64) *testpeer.Analysis {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, err := testpeer.Analyze(ctx, path)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if len(a.Errors) > 0 {
		t.Fatalf("%s: decode errors %v", what, a.Errors)
	}
	v := a.Stream("video")
	n := a.Count("video")
	first, last := math.Inf(1), math.Inf(-1)
	for _, f := range a.Frames {
		if f.MediaType == "video" && f.Time() >= 0 {
			first, last = min(first, f.Time()), max(last, f.Time())
		}
	}
	span := last - first
	if v == nil || v.CodecName != "h264" || span < minSeconds || float64(n) < span*minPulledFPS {
		t.Fatalf("%s: %d video frames over %.2f s (stream %+v), want %.1f s of H.264 at >= %d frames/s", what, n, span, v, minSeconds, minPulledFPS)
	}
	if rate := float64(n) / span; rate < 25 {
		t.Logf("%s: %.1f frames/s (a busy machine: the encoder skipped frames)", what, rate)
	}
	return a
}

// minPulledFPS is the lowest frame rate of a pulled 30 fps stream that
// checkDecodes accepts.
const minPulledFPS = 15
