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

// adaptiveRun is one live run: "shared" reads the main encoder (640x360,
// 800 kb/s) straight to nginx-rtmp, "own" its own 1280x720 2.5 Mbit/s
// rendition through a proxy throttled to 1.5 Mbit/s.
type adaptiveRun struct {
	s     *Session
	proxy *testpeer.TCPProxy
}

func startAdaptiveRun(t *testing.T, ng *testpeer.Nginx, adaptive bool, tag string) *adaptiveRun {
	t.Helper()
	proxy := testpeer.StartTCPProxy(t, fmt.Sprintf("127.0.0.1:%d", ng.RTMPPort))
	proxy.Throttle(1500)
	cfg, err := FromProfile(testProfile(t, t.TempDir()+"/rec.mkv"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Engine.Width, cfg.Engine.Height, cfg.Engine.VideoBitrate, cfg.Engine.Preset = 640, 360, 800_000, "ultrafast"
	own := Output{Name: "own", Kind: "rtmp", Reader: rtmp.ReaderConfig("own"), AudioCodec: cfg.Outputs[0].AudioCodec,
		Worker:   &rtmp.Publisher{URL: fmt.Sprintf("rtmp://127.0.0.1:%d/live", proxy.Port()), Key: "own" + tag},
		Video:    &engine.Rendition{Width: 1280, Height: 720, VideoBitrate: 2_500_000},
		Adaptive: adaptive}
	shared := Output{Name: "shared", Kind: "rtmp", Reader: rtmp.ReaderConfig("shared"), AudioCodec: own.AudioCodec,
		Worker: &rtmp.Publisher{URL: ng.RTMPURL("live", "shared"+tag)}}
	cfg.Outputs = []Output{shared, own}
	s := &Session{Config: cfg}
	if err := s.Initialize(); err != nil {
		t.Fatal(err)
	}
	return &adaptiveRun{s: s, proxy: proxy}
}

func (r *adaptiveRun) encoder(id string) EncoderStats {
	for _, e := range r.s.Stats().Encoders {
		if e.ID == id {
			return e
		}
	}
	return EncoderStats{}
}

func (r *adaptiveRun) output(name string) dest.Status {
	for _, o := range r.s.Stats().Outputs {
		if o.Name == name {
			return o
		}
	}
	return dest.Status{}
}

// TestAdaptiveBitrateFollowsThePath (issue 18, Must show "Adaptive"):
// behind a proxy throttled to 1.5 Mbit/s, a destination's own 2.5 Mbit/s
// encoder is at ≤ 1.4 Mbit/s within 5 s and stays there (target and what
// nginx-rtmp received), dropping fewer frames than the same run with
// adaptive off; when the throttle is lifted it climbs back; the
// destination on the main encoder beside it keeps its 800 kb/s target
// and drops nothing. About 45 s.
func TestAdaptiveBitrateFollowsThePath(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time encode against nginx-rtmp")
	}
	// Registered first, run last: after the peers' own cleanups.
	t.Cleanup(func() { goleak.VerifyNone(t) })
	testpeer.RequireBinaries(t, "nginx")
	ng := testpeer.StartNginxRTMP(t)

	fixed := startAdaptiveRun(t, ng, false, "f")
	time.Sleep(10 * time.Second)
	fixedDrops := fixed.output("own").Dropped
	t.Logf("adaptive off, 10 s at 1.5 Mbit/s: own encoder %+v, %d frames dropped", fixed.encoder("r1"), fixedDrops)
	fixed.s.Close()

	ownPull := testpeer.StartPacketPull(t, ng, "live", "owna")
	sharedPull := testpeer.StartPacketPull(t, ng, "live", "shareda")
	r := startAdaptiveRun(t, ng, true, "a")
	start := time.Now()
	settled := settledPhase(t, r, start)
	own := r.output("own")
	t.Logf("adaptive, 10 s at 1.5 Mbit/s: own %.0f kb/s sent, %d dropped (adaptive off: %d), note %q",
		own.BitrateKbps, own.Dropped, fixedDrops, own.Note)
	if own.Dropped >= fixedDrops {
		t.Errorf("adaptive destination dropped %d frames, adaptive off %d: want fewer", own.Dropped, fixedDrops)
	}
	if !strings.HasPrefix(own.Note, "adaptive: ") || !strings.Contains(own.Note, "of 2500 kb/s (floor 750)") {
		t.Errorf("own destination's note %q, want \"adaptive: N of 2500 kb/s (floor 750)\"", own.Note)
	}
	r.proxy.Throttle(0)
	lifted := time.Since(start).Seconds()
	for r.encoder("r1").TargetKbps < 2250 {
		if time.Since(start).Seconds()-lifted > 30 {
			r.s.Close()
			t.Fatalf("own encoder still at %.0f kb/s 30 s after the throttle was lifted", r.encoder("r1").TargetKbps)
		}
		time.Sleep(250 * time.Millisecond)
	}
	climbed := time.Since(start).Seconds()
	t.Logf("climbed back to %.0f kb/s %.1f s after the throttle was lifted", r.encoder("r1").TargetKbps, climbed-lifted)
	time.Sleep(2 * time.Second)
	shared, mainEnc, end := r.output("shared"), r.encoder("main"), time.Since(start).Seconds()
	r.s.Close()
	if shared.Dropped != 0 || mainEnc.TargetKbps != 800 || mainEnc.FloorKbps != 0 || strings.Contains(shared.Note, "adaptive") {
		t.Errorf("shared destination: %d drops, note %q; main encoder target %.0f kb/s, floor %.0f", shared.Dropped, shared.Note, mainEnc.TargetKbps, mainEnc.FloorKbps)
	}
	checkPulled(t, ownPull.Wait(t), sharedPull.Wait(t), settled, lifted, climbed, end)
}

// settledPhase polls the adaptive run for 10 s: from 5 s on the own
// encoder's target must be ≤ 1400 kb/s, and from 6 s on barely move (the
// step from draining the backlog to the settle level comes before). It returns when
// the target first was ≤ 1400 kb/s (seconds after start).
//
// On a machine whose tasks waited for a CPU over half of these 10 s
// (Linux PSI) the encoder follows a lower target late, the backlog takes
// longer to drain and that step (adaptSettle/adaptDrain, +21 %) may come
// after 6 s: the spread may then reach 25 % (logged), never more.
func settledPhase(t *testing.T, r *adaptiveRun, start time.Time) float64 {
	t.Helper()
	pressure := testpeer.ReadCPUPressure()
	settled := -1.0
	var lo, hi float64
	for time.Since(start) < 10*time.Second {
		at := time.Since(start).Seconds()
		o, e := r.output("own"), r.encoder("r1")
		t.Logf("%4.1f s: own queue %4.0f ms, sent %5.0f kb/s, %3d dropped; encoder target %5.0f kb/s, output %5.0f kb/s",
			at, o.QueueMs, o.BitrateKbps, o.Dropped, e.TargetKbps, e.BitrateKbps)
		if e.TargetKbps <= 1400 && settled < 0 {
			settled = at
		}
		if at >= 5 && e.TargetKbps > 1400 {
			t.Errorf("at %.1f s the own encoder's target is %.0f kb/s, want ≤ 1400 behind 1.5 Mbit/s", at, e.TargetKbps)
		}
		if at >= 6 {
			if lo == 0 || e.TargetKbps < lo {
				lo = e.TargetKbps
			}
			hi = max(hi, e.TargetKbps)
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Logf("target ≤ 1400 kb/s after %.1f s; from 6 to 10 s between %.0f and %.0f kb/s", settled, lo, hi)
	spread := 0.10
	if share, ok := pressure.Share(); ok && share > 0.5 {
		spread = 0.25
		t.Logf("machine overloaded: tasks waited for a CPU %.0f%% of the settled phase: the spread may reach %.0f %% (the drain step came late)",
			share*100, spread*100)
	} else if ok {
		t.Logf("CPU pressure over the settled phase: %.0f%%", share*100)
	}
	if hi > (1+spread)*lo {
		t.Errorf("settled target spread %.0f-%.0f kb/s: more than %.0f %%", lo, hi, spread*100)
	}
	return settled
}

// checkPulled checks what nginx-rtmp passed on: the own stream's video at
// ≤ 1.4 Mbit/s from 5 s until the throttle was lifted, then above 1.5
// Mbit/s once climbed; the shared stream near its 800 kb/s throughout.
func checkPulled(t *testing.T, own, shared []testpeer.Packet, settled, lifted, climbed, end float64) {
	t.Helper()
	if settled < 0 || settled > 5 {
		t.Errorf("own encoder's target reached ≤ 1400 kb/s after %.1f s, want within 5 s", settled)
	}
	throttled := testpeer.VideoKbps(own, 5, lifted)
	after := testpeer.VideoKbps(own, climbed, end)
	sharedKbps := testpeer.VideoKbps(shared, 2, end-1)
	t.Logf("pulled: own video %.0f kb/s from 5 s to %.1f s (throttled), %.0f kb/s from %.1f s to %.1f s; shared %.0f kb/s",
		throttled, lifted, after, climbed, end, sharedKbps)
	if throttled > 1400 || throttled < 700 {
		t.Errorf("own stream carried %.0f kb/s of video while throttled, want 700-1400", throttled)
	}
	if after < 1600 {
		t.Errorf("own stream carried %.0f kb/s of video after climbing back, want ≥ 1600", after)
	}
	if sharedKbps < 640 || sharedKbps > 960 {
		t.Errorf("shared stream carried %.0f kb/s of video, want 800 ±20 %%", sharedKbps)
	}
}
