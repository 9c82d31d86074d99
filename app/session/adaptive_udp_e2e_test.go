package session

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"golive/media/engine"
	"golive/media/testpeer"
	"golive/media/unit"
	"golive/outputs/rtmp"
	"golive/outputs/srt"
	"golive/outputs/whip"
)

// whipPeer is MediaMTX with a publisher's token, and a relay to its ICE
// port that the adaptive WHIP runs publish through.
type whipPeer struct {
	m     *testpeer.MediaMTX
	token string
}

func startWHIPPeer(t *testing.T) *whipPeer {
	t.Helper()
	m := testpeer.StartMediaMTX(t,
		testpeer.MediaMTXUser{User: "golive", Pass: "abr-publish", Actions: []string{"publish"}},
		testpeer.MediaMTXUser{User: "any", Actions: []string{"publish", "read"}})
	return &whipPeer{m: m, token: "golive:abr-publish"}
}

// startAdaptiveUDP is one live run: "shared" reads the main encoder
// (640x360, 800 kb/s) over RTMP to MediaMTX, "own" its own 1280x720
// 2.5 Mbit/s rendition over WHIP or SRT (kind) through a relay paced at
// 1.5 Mbit/s (a drop-tail queue of 200 ms), publishing to path.
func startAdaptiveUDP(t *testing.T, w *whipPeer, kind, path string, adaptive bool) (*adaptiveRun, *testpeer.UDPRelay) {
	t.Helper()
	target := w.m.UDPPort
	if kind == "srt" {
		target = w.m.SRTPort
	}
	relay := testpeer.StartUDPRelay(t, "127.0.0.1:"+strconv.Itoa(target), 0, 1)
	relay.SetRate(1500, 200*time.Millisecond)
	cfg, err := FromProfile(testProfile(t, t.TempDir()+"/rec.mkv"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Engine.Width, cfg.Engine.Height, cfg.Engine.VideoBitrate, cfg.Engine.Preset = 640, 360, 800_000, "ultrafast"
	own := Output{Name: "own", Kind: kind, Reader: whip.ReaderConfig("own"), AudioCodec: whip.AudioCodec(),
		Worker:   &whip.Publisher{URL: testpeer.WHIPVia(t, w.m, relay) + "/" + path + "/whip", Token: w.token},
		Video:    &engine.Rendition{Width: 1280, Height: 720, VideoBitrate: 2_500_000},
		Adaptive: adaptive}
	if kind == "srt" {
		own.Reader, own.AudioCodec = srt.ReaderConfig("own"), srt.AudioCodec()
		own.Worker = &srt.Publisher{URL: fmt.Sprintf("srt://127.0.0.1:%d?streamid=publish:%s", relay.Port(), path)}
	}
	shared := Output{Name: "shared", Kind: "rtmp", Reader: rtmp.ReaderConfig("shared"), AudioCodec: unit.CodecAAC,
		Worker: &rtmp.Publisher{URL: w.m.RTMPURL("shared" + path), Key: "s"}}
	cfg.Outputs = []Output{shared, own}
	s := &Session{Config: cfg}
	if err := s.Initialize(); err != nil {
		t.Fatal(err)
	}
	return &adaptiveRun{s: s}, relay
}

// readerDamage records path from MediaMTX over RTSP for d and counts the
// frames a reader lost: the 30 fps frames of d it did not decode, plus
// its decode error lines. A stream too broken to read at all (broken:
// the run with adaptive off) lost every frame; otherwise it fails the
// test.
func (w *whipPeer) readerDamage(t *testing.T, path string, d time.Duration, broken bool) (damage, frames int) {
	t.Helper()
	out := filepath.Join(t.TempDir(), path+".mkv")
	cmd := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y", "-rtsp_transport", "tcp",
		"-i", w.m.RTSPURL(path), "-map", "0:v", "-c", "copy", "-t", fmt.Sprint(d.Seconds()), out)
	b, err := cmd.CombinedOutput()
	var a *testpeer.Analysis
	if err == nil {
		a, err = testpeer.Analyze(t.Context(), out)
	}
	if err != nil && broken {
		t.Logf("%s over RTSP: nothing readable (%v: %s): every frame lost", path, err, b)
		return int(d.Seconds() * 30), 0
	}
	if err != nil {
		t.Fatalf("reading %s: %v: %s", path, err, b)
	}
	frames = a.Count("video")
	missing := max(0, int(d.Seconds()*30)-frames)
	t.Logf("%s over RTSP for %v: %d frames decoded, %d not, %d decode error lines", path, d, frames, missing, len(a.Errors))
	return len(a.Errors) + missing, frames
}

// TestAdaptiveWHIPFollowsTheEstimate (issues 18 and 19): a WHIP
// destination's own 2.5 Mbit/s encoder, behind a relay paced at
// 1.5 Mbit/s, follows the congestion controller's estimate (GCC on TWCC
// feedback) to ≤ 1.4 Mbit/s within 5 s; what MediaMTX passes on to an
// RTSP reader then loses at most half the frames (not decoded or
// decoded with errors, over 8 s) and the relay drops at most half the
// datagrams of the same run with adaptive off; when the pace is lifted
// it climbs back above 2250 kb/s within 60 s (see climbBack for a
// machine short of CPU); the destination on the
// main encoder beside it keeps its 800 kb/s target and drops nothing.
// About 55 s (measured: settled in 1.6 s, 0 frames lost against 336,
// back up in 30 s).
func TestAdaptiveWHIPFollowsTheEstimate(t *testing.T) { adaptiveOverUDP(t, "whip") }

// TestAdaptiveSRTFollowsTheSendBuffer (issues 18 and 19): the same with
// an SRT destination, whose own encoder follows libsrt's figures (the
// send buffer as a backlog, what the listener acknowledged, the packets
// lost). About 45 s (measured: settled in 1.5 s, 31 frames lost against
// 247, back up in 15 s).
func TestAdaptiveSRTFollowsTheSendBuffer(t *testing.T) { adaptiveOverUDP(t, "srt") }

func adaptiveOverUDP(t *testing.T, kind string) {
	if testing.Short() {
		t.Skip("real-time encode against MediaMTX")
	}
	t.Cleanup(func() { goleak.VerifyNone(t) })
	testpeer.RequireBinaries(t, "ffmpeg", "ffprobe")
	w := startWHIPPeer(t)

	fixed, fixedRelay := startAdaptiveUDP(t, w, kind, "ownf", false)
	waitLive(t, fixed, "own")
	time.Sleep(3 * time.Second)
	d0 := fixedRelay.Dropped.Load()
	fixedDamage, _ := w.readerDamage(t, "ownf", 8*time.Second, true)
	fixedDrops := fixedRelay.Dropped.Load() - d0
	t.Logf("adaptive off at 1.5 Mbit/s: own encoder %+v, relay dropped %d datagrams over the read; %v",
		fixed.encoder("r1"), fixedDrops, fixed.output("own").Detail)
	fixed.s.Close()

	r, relay := startAdaptiveUDP(t, w, kind, "owna", true)
	start := waitLive(t, r, "own")
	pressure := testpeer.ReadCPUPressure()
	settled := -1.0
	for time.Since(start) < 5*time.Second {
		at, e, o := time.Since(start).Seconds(), r.encoder("r1"), r.output("own")
		t.Logf("%4.1f s: encoder target %5.0f kb/s, output %5.0f kb/s; sent %5.0f kb/s; %v", at, e.TargetKbps, e.BitrateKbps,
			o.BitrateKbps, o.Detail)
		if e.TargetKbps <= 1400 && settled < 0 {
			settled = at
		}
		time.Sleep(500 * time.Millisecond)
	}
	d0 = relay.Dropped.Load()
	damage, frames := w.readerDamage(t, "owna", 8*time.Second, false)
	drops := relay.Dropped.Load() - d0
	own, enc := r.output("own"), r.encoder("r1")
	t.Logf("adaptive: target ≤ 1400 kb/s after %.1f s, %.0f kb/s at 13 s; relay dropped %d datagrams over the read (off: %d); note %q; %v",
		settled, enc.TargetKbps, drops, fixedDrops, own.Note, own.Detail)
	if settled < 0 || enc.TargetKbps > 1400 {
		t.Errorf("own encoder's target reached ≤ 1400 kb/s after %.1f s and is %.0f kb/s at 13 s: want within 5 s and kept",
			settled, enc.TargetKbps)
	}
	// A machine short of CPU skips frames of both runs alike: the
	// margin stays.
	if share, ok := pressure.Share(); ok {
		t.Logf("CPU pressure over the adaptive run's first 13 s: %.0f%%", share*100)
	}
	if damage*2 > fixedDamage || drops*2 > fixedDrops {
		t.Errorf("the reader lost %d frames (adaptive off %d), the relay dropped %d datagrams (off %d): want at most half of each",
			damage, fixedDamage, drops, fixedDrops)
	}
	if frames < 8*30/2 {
		t.Errorf("the reader decoded %d frames in 8 s", frames)
	}
	if !strings.HasPrefix(own.Note, "adaptive: ") || !strings.Contains(own.Note, "of 2500 kb/s (floor 750)") {
		t.Errorf("own destination's note %q, want \"adaptive: N of 2500 kb/s (floor 750)\"", own.Note)
	}
	relay.SetRate(0, 0)
	climbBack(t, r)
	shared, mainEnc := r.output("shared"), r.encoder("main")
	r.s.Close()
	if shared.Dropped != 0 || mainEnc.TargetKbps != 800 || mainEnc.FloorKbps != 0 || strings.Contains(shared.Note, "adaptive") {
		t.Errorf("shared destination: %d drops, note %q; main encoder target %.0f kb/s, floor %.0f",
			shared.Dropped, shared.Note, mainEnc.TargetKbps, mainEnc.FloorKbps)
	}
}

// climbBack waits for the own encoder to climb back above 2250 kb/s
// within 60 s of the pace being lifted. A delay-based estimate (WHIP's
// GCC) reads a CPU-starved machine's late packets as a queue: when tasks
// waited for a CPU more than half of the climb, reaching 1500 kb/s (past
// the lifted pace) within 90 s is enough (logged); below that it fails.
func climbBack(t *testing.T, r *adaptiveRun) {
	t.Helper()
	lifted, pressure := time.Now(), testpeer.ReadCPUPressure()
	want, limit := 2250.0, 60*time.Second
	for r.encoder("r1").TargetKbps < want {
		if time.Since(lifted) > limit {
			if share, ok := pressure.Share(); ok && share > 0.5 && want > 1500 {
				want, limit = 1500, 90*time.Second
				t.Logf("machine overloaded: tasks waited for a CPU %.0f%% of the climb: %.0f kb/s within %v is enough",
					share*100, want, limit)
				continue
			}
			r.s.Close()
			t.Fatalf("own encoder still at %.0f kb/s %v after the pace was lifted (want %.0f)",
				r.encoder("r1").TargetKbps, limit, want)
		}
		time.Sleep(250 * time.Millisecond)
	}
	share, _ := pressure.Share()
	t.Logf("climbed back to %.0f kb/s %.1f s after the pace was lifted (CPU pressure %.0f%%)",
		r.encoder("r1").TargetKbps, time.Since(lifted).Seconds(), share*100)
}

// waitLive waits up to 30 s for the output to be live and returns when.
func waitLive(t *testing.T, r *adaptiveRun, name string) time.Time {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for r.output(name).State != "live" {
		if time.Now().After(deadline) {
			r.s.Close()
			t.Fatalf("%s not live within 30 s: %+v", name, r.output(name))
		}
		time.Sleep(100 * time.Millisecond)
	}
	return time.Now()
}
