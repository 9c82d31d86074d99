package session

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"golive/media/engine"
	"golive/media/testpeer"
	"golive/outputs/dest"
	"golive/outputs/rtmp"
)

// fallbackRun is one live run: "direct" and "slow" share the main
// 1280x720 2.5 Mbit/s encoder; "slow" publishes through a proxy
// throttled to 1.2 Mbit/s and, unless noFallback, has a 854x480 600 kb/s
// fallback.
type fallbackRun struct {
	s     *Session
	proxy *testpeer.TCPProxy
	start time.Time
}

func startFallbackRun(t *testing.T, ng *testpeer.Nginx, tag string, withFallback bool) *fallbackRun {
	t.Helper()
	proxy := testpeer.StartTCPProxy(t, fmt.Sprintf("127.0.0.1:%d", ng.RTMPPort))
	proxy.Throttle(1200)
	cfg, err := FromProfile(testProfile(t, t.TempDir()+"/rec.mkv"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Engine.Width, cfg.Engine.Height, cfg.Engine.VideoBitrate, cfg.Engine.Preset = 1280, 720, 2_500_000, "ultrafast"
	audio := cfg.Outputs[0].AudioCodec
	direct := Output{Name: "direct", Kind: "rtmp", Reader: rtmp.ReaderConfig("direct"), AudioCodec: audio,
		Worker: &rtmp.Publisher{URL: ng.RTMPURL("live", "direct"+tag)}}
	slow := Output{Name: "slow", Kind: "rtmp", Reader: rtmp.ReaderConfig("slow"), AudioCodec: audio,
		// The socket buffer a destination with a fallback gets (a quarter
		// second of 2.5 Mbit/s), in both runs alike.
		Worker: &rtmp.Publisher{URL: fmt.Sprintf("rtmp://127.0.0.1:%d/live", proxy.Port()), Key: "slow" + tag,
			SendBuffer: 2_500_000 / 8 / 4}}
	if withFallback {
		slow.Fallback = &engine.Rendition{Width: 854, Height: 480, VideoBitrate: 600_000}
	}
	cfg.Outputs = []Output{direct, slow}
	// A short recovery for the test (30 s by default); the return must
	// not come before the throttle is lifted, 4 s after the move (the
	// earliest return is 7.5 s after it: the window, then Recover).
	cfg.Fallback = FallbackTiming{Recover: 7 * time.Second, Probe: 3 * time.Second, MaxHold: 14 * time.Second}
	s := &Session{Config: cfg}
	if err := s.Initialize(); err != nil {
		t.Fatal(err)
	}
	return &fallbackRun{s: s, proxy: proxy, start: time.Now()}
}

func (r *fallbackRun) at() float64 { return time.Since(r.start).Seconds() }

// watch logs the slow destination's figures every half second for d.
func (r *fallbackRun) watch(t *testing.T, d time.Duration) {
	t.Helper()
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(500 * time.Millisecond) {
		o := r.output("slow")
		t.Logf("%4.1f s: slow on %-4s %-10s queue %4.0f ms, sent %5.0f kb/s, %3d dropped", r.at(), o.Encoder, o.State, o.QueueMs, o.BitrateKbps, o.Dropped)
	}
}

func (r *fallbackRun) output(name string) dest.Status {
	for _, o := range r.s.Stats().Outputs {
		if o.Name == name {
			return o
		}
	}
	return dest.Status{}
}

func (r *fallbackRun) encoder(id string) EncoderStats {
	for _, e := range r.s.Stats().Encoders {
		if e.ID == id {
			return e
		}
	}
	return EncoderStats{}
}

// waitEncoder polls until the named destination's stats show encoder id,
// failing after limit; it returns when (seconds from the start).
func (r *fallbackRun) waitEncoder(t *testing.T, name, id string, limit time.Duration) float64 {
	t.Helper()
	for deadline := time.Now().Add(limit); ; time.Sleep(100 * time.Millisecond) {
		o := r.output(name)
		if o.Encoder == id {
			return r.at()
		}
		if time.Now().After(deadline) {
			r.s.Close()
			t.Fatalf("%s still on encoder %q after %v (queue %.0f ms, %d dropped, note %q), want %q",
				name, o.Encoder, limit, o.QueueMs, o.Dropped, o.Note, id)
		}
	}
}

// TestFallbackRenditionFollowsThePath (issue 18, "a destination that
// shares an encoder ... moves to [its fallback] rendition at a key
// frame"): two destinations share the main 1280x720 2.5 Mbit/s encoder,
// one behind a proxy throttled to 1.2 Mbit/s with a 854x480 600 kb/s
// fallback. Without the fallback it drops frames; with it, it moves to
// the fallback's on-demand encoder (its stats encoder id changes, its
// note says why), what nginx-rtmp passes on becomes 854x480 and decodes
// with 0 errors across the switches, and it drops far fewer frames; the
// other destination keeps its encoder, target and 0 drops. When the
// throttle is lifted it moves back to the main rendition. About 25 s.
func TestFallbackRenditionFollowsThePath(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time encode against nginx-rtmp")
	}
	t.Cleanup(func() { goleak.VerifyNone(t) })
	testpeer.RequireBinaries(t, "nginx", "ffprobe")
	ng := testpeer.StartNginxRTMP(t)

	base := startFallbackRun(t, ng, "n", false)
	time.Sleep(6 * time.Second)
	baseDrops := base.output("slow").Dropped
	base.s.Close()
	t.Logf("without a fallback, 6 s at 1.2 Mbit/s: %d frames dropped", baseDrops)
	if baseDrops < 30 {
		t.Fatalf("without a fallback, the throttled destination dropped %d frames in 6 s: the path is not short", baseDrops)
	}

	slowPull := testpeer.StartRTMPPull(t, ng, "live", "slowf")
	directPull := testpeer.StartPacketPull(t, ng, "live", "directf")
	r := startFallbackRun(t, ng, "f", true)
	fell := r.waitEncoder(t, "slow", "r1", 10*time.Second)
	atFall := r.output("slow")
	t.Logf("%.1f s: slow moved to r1 (%d dropped before), note %q", fell, atFall.Dropped, atFall.Note)
	if !strings.HasPrefix(atFall.Note, "fallback: 854x480@30 0.6 Mb/s (path could not carry 720p30 2.5 Mb/s") || !strings.HasSuffix(atFall.Note, "back after 7s calm") {
		t.Errorf("note %q, want \"fallback: 854x480@30 0.6 Mb/s (path could not carry 720p30 2.5 Mb/s; ...\"", atFall.Note)
	}
	if e := r.encoder("r1"); !e.OnDemand || e.Idle || strings.Join(e.Destinations, ",") != "slow" {
		t.Errorf("fallback encoder %+v: want on demand, busy, read by slow", e)
	}
	r.watch(t, time.Second)
	settledDrops := r.output("slow").Dropped
	r.watch(t, 3*time.Second)
	onFallback := r.output("slow")
	after := onFallback.Dropped - settledDrops
	t.Logf("%.1f s: on the fallback for 3 s: %d dropped (%d in all), queue %.0f ms, sent %.0f kb/s",
		r.at(), after, onFallback.Dropped, onFallback.QueueMs, onFallback.BitrateKbps)
	if onFallback.Encoder != "r1" {
		r.s.Close()
		t.Fatalf("slow left the fallback before the throttle was lifted (encoder %q)", onFallback.Encoder)
	}
	// At most 2, and per second at most a tenth of the run without one.
	if after > 2 || after*2*10 > baseDrops {
		t.Errorf("slow dropped %d frames in 3 s on its fallback (%d in 6 s without one): want far fewer", after, baseDrops)
	}
	r.proxy.Throttle(0)
	lifted := r.at()
	back := r.waitEncoder(t, "slow", engine.MainID, 15*time.Second)
	t.Logf("%.1f s: throttle lifted; %.1f s: slow back on main", lifted, back)
	dropsAtBack := r.output("slow").Dropped
	time.Sleep(3 * time.Second)
	slow, direct, mainEnc, fbEnc, end := r.output("slow"), r.output("direct"), r.encoder("main"), r.encoder("r1"), r.at()
	r.s.Close()
	if slow.Note != "" || !fbEnc.Idle || fbEnc.BitrateKbps != 0 || slow.Dropped > dropsAtBack+2 {
		t.Errorf("back on main: note %q, %d dropped in 3 s, fallback encoder %+v (want no note, no drops, idle)",
			slow.Note, slow.Dropped-dropsAtBack, fbEnc)
	}
	if direct.Dropped != 0 || direct.Encoder != engine.MainID || mainEnc.TargetKbps != 2500 || mainEnc.ConfiguredKbps != 2500 {
		t.Errorf("direct: %d dropped, encoder %q; main encoder target %.0f kb/s (want 0, main, 2500)", direct.Dropped, direct.Encoder, mainEnc.TargetKbps)
	}
	checkFallbackPull(t, slowPull.Wait(t), fell, back)
	directKbps := testpeer.VideoKbps(directPull.Wait(t), 2, end-1)
	t.Logf("direct stream: %.0f kb/s of video", directKbps)
	if directKbps < 2000 || directKbps > 3000 {
		t.Errorf("direct stream carried %.0f kb/s of video, want 2500 ±20 %%", directKbps)
	}
}

// checkFallbackPull checks what nginx-rtmp passed on of the slow
// destination: 1280x720, then 854x480 for the seconds on the fallback,
// then 1280x720 again, each change at a key frame; 0 decode errors.
func checkFallbackPull(t *testing.T, a *testpeer.Analysis, fell, back float64) {
	t.Helper()
	if len(a.Errors) != 0 {
		t.Errorf("decode errors across the switches: %v", a.Errors)
	}
	var runs []string
	n := 0
	for _, f := range a.Frames {
		if f.MediaType != "video" {
			continue
		}
		size := fmt.Sprintf("%dx%d", f.Width, f.Height)
		if len(runs) == 0 || !strings.HasPrefix(runs[len(runs)-1], size+" ") {
			if len(runs) > 0 && f.KeyFrame != 1 {
				t.Errorf("size changed to %s at a frame that is not a key frame", size)
			}
			runs = append(runs, size+" ")
			n = 0
		}
		n++
		runs[len(runs)-1] = fmt.Sprintf("%s %d", size, n)
	}
	t.Logf("pulled video: %v (moved at %.1f s, back at %.1f s)", runs, fell, back)
	want := []string{"1280x720", "854x480", "1280x720"}
	if len(runs) != 3 {
		t.Fatalf("pulled video sizes %v, want %v", runs, want)
	}
	for i, w := range want {
		var size string
		var count int
		if _, err := fmt.Sscanf(runs[i], "%s %d", &size, &count); err != nil || size != w {
			t.Errorf("run %d: %q, want %s", i, runs[i], w)
		}
		if i == 1 && float64(count) < 30*(back-fell-2) {
			t.Errorf("%d frames of 854x480 in %.1f s on the fallback: frames lost", count, back-fell)
		}
	}
}
