package session

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"testing"
	"time"

	"go.uber.org/goleak"

	"golive/media/engine"
	"golive/media/testpeer"
	"golive/outputs/rtmp"
)

// fallbackPeer is where the slow destination of a codec fallback run
// publishes (through the throttled proxy) and how it is read back.
type fallbackPeer struct {
	// output makes the slow destination, publishing to the proxy's port.
	output func(proxyPort int) Output
	// target is the peer's ingest address the proxy forwards to.
	target string
	// published waits until the peer has the stream ("" when it has),
	// or says what is wrong.
	published func() string
	// readArgs are ffmpeg's input arguments reading the stream back.
	readArgs []string
}

// startCodecFallbackRun runs one destination, "slow", on the main
// 1280x720 2.5 Mbit/s encoder of encoder (libx265, ...) through a proxy
// throttled to 1.2 Mbit/s (once the reader has read 3 s), with a 854x480
// 600 kb/s fallback of the same encoder, and reads what the peer passes
// on back with ffmpeg (stream copy into MPEG-TS, whose parameter sets
// travel in band) until the session closes. It returns the run and a wait for the read-back file.
func startCodecFallbackRun(t *testing.T, encoder string, peer fallbackPeer) (*fallbackRun, func() string) {
	t.Helper()
	proxy := testpeer.StartTCPProxy(t, peer.target) // throttled once the reader reads
	cfg, err := FromProfile(testProfile(t, t.TempDir()+"/rec.mkv"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Engine.Width, cfg.Engine.Height, cfg.Engine.VideoBitrate = 1280, 720, 2_500_000
	cfg.Engine.Encoder, cfg.Engine.Preset = encoder, "ultrafast"
	slow := peer.output(proxy.Port())
	slow.Name, slow.AudioCodec = "slow", cfg.Outputs[0].AudioCodec
	slow.Fallback = &engine.Rendition{Width: 854, Height: 480, VideoBitrate: 600_000, Encoder: encoder, Preset: "ultrafast"}
	cfg.Outputs = []Output{slow}
	cfg.Fallback = FallbackTiming{Recover: 7 * time.Second, Probe: 3 * time.Second, MaxHold: 14 * time.Second}
	s := &Session{Config: cfg}
	if err := s.Initialize(); err != nil {
		t.Fatal(err)
	}
	r := &fallbackRun{s: s, proxy: proxy, start: time.Now()}
	if msg := peer.published(); msg != "" {
		s.Close()
		t.Fatal(msg)
	}
	file := filepath.Join(t.TempDir(), "slow.ts")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	args := append([]string{"-hide_banner", "-nostdin", "-v", "error", "-y"}, peer.readArgs...)
	cmd := exec.CommandContext(ctx, "ffmpeg", append(args, "-map", "0:v", "-c", "copy", "-f", "mpegts", file)...)
	if err := cmd.Start(); err != nil {
		cancel()
		s.Close()
		t.Fatalf("ffmpeg reading back: %v", err)
	}
	done := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	// The reader joins and gets the main rendition's 1280x720 first.
	time.Sleep(3 * time.Second)
	proxy.Throttle(1200)
	r.start = time.Now()
	return r, func() string {
		select {
		case <-done:
			if waitErr != nil {
				t.Logf("ffmpeg reading back: %v", waitErr)
			}
		case <-time.After(20 * time.Second):
			t.Errorf("ffmpeg reading back did not end 20 s after the session closed")
		}
		cancel()
		return file
	}
}

// checkCodecFallback drives a codec fallback run: the slow destination
// moves to its fallback's encoder, stays there while the throttle holds
// (3 s), and moves back once it is lifted; the stream read back has the
// codec, changes size 1280x720 → 854x480 → 1280x720 at key frames and
// decodes with 0 errors (checkFallbackPull).
func checkCodecFallback(t *testing.T, r *fallbackRun, readBack func() string, codec string) {
	t.Helper()
	fell := r.waitEncoder(t, "slow", "r1", 12*time.Second)
	t.Logf("%.1f s: slow moved to r1, note %q", fell, r.output("slow").Note)
	r.watch(t, 3*time.Second)
	if o := r.output("slow"); o.Encoder != "r1" {
		r.s.Close()
		t.Fatalf("slow left the fallback before the throttle was lifted (encoder %q)", o.Encoder)
	}
	r.proxy.Throttle(0)
	lifted := r.at()
	back := r.waitEncoder(t, "slow", engine.MainID, 15*time.Second)
	t.Logf("%.1f s: throttle lifted; %.1f s: slow back on main", lifted, back)
	time.Sleep(2 * time.Second)
	r.s.Close()
	file := readBack()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	a, err := testpeer.Analyze(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	if v := a.Stream("video"); v == nil || v.CodecName != codec {
		t.Fatalf("read back %+v, want %s video", a.Streams, codec)
	}
	checkFallbackPull(t, a, fell, back)
}

// TestHEVCFallbackOverEnhancedRTMP (issue 18: HEVC fallbacks over
// Enhanced RTMP): an HEVC destination publishing to MediaMTX through a
// path of 1.2 Mbit/s moves from the main 1280x720 2.5 Mbit/s libx265
// encoder to its 854x480 600 kb/s libx265 fallback and back once the
// path is clear; the muxer sends the new HEVCDecoderConfigurationRecord
// at each move, and what MediaMTX passes on over RTSP changes size at
// key frames and decodes with 0 errors. About 25 s.
func TestHEVCFallbackOverEnhancedRTMP(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time encode against MediaMTX")
	}
	t.Cleanup(func() { goleak.VerifyNone(t) })
	// One run under heavy load (PSI 97 %) hung until go test's timeout
	// (10 min) and kept no dump; the others take 17-18 s. Past 2 min,
	// panic with every goroutine's stack instead of holding CI.
	watchdog := time.AfterFunc(2*time.Minute, func() {
		debug.SetTraceback("all")
		panic("TestHEVCFallbackOverEnhancedRTMP still running after 2 min: hung")
	})
	t.Cleanup(func() { watchdog.Stop() })
	testpeer.RequireBinaries(t, "ffmpeg", "ffprobe")
	mtx := testpeer.StartMediaMTX(t)
	r, readBack := startCodecFallbackRun(t, "libx265", fallbackPeer{
		target: fmt.Sprintf("127.0.0.1:%d", mtx.RTMPPort),
		output: func(port int) Output {
			return Output{Kind: "rtmp", Reader: rtmp.ReaderConfig("slow"),
				Worker: &rtmp.Publisher{URL: fmt.Sprintf("rtmp://127.0.0.1:%d/live", port), Key: "slow",
					SendBuffer: 2_500_000 / 8 / 4}}
		},
		published: func() string {
			if !mtx.WaitLog("[path live/slow] stream is available and online, 2 tracks (H265", 15*time.Second) {
				return "MediaMTX has no HEVC stream: " + mtx.Log.String()
			}
			return ""
		},
		readArgs: []string{"-rtsp_transport", "tcp", "-i", mtx.RTSPURL("live/slow")},
	})
	checkCodecFallback(t, r, readBack, "hevc")
}
