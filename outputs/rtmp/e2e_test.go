package rtmp

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"golive/media/engine"
	"golive/media/stream"
	"golive/media/testpeer"
	"golive/media/unit"
	"golive/outputs/dest"
)

var shared struct {
	once   sync.Once
	e      *engine.Engine
	cancel context.CancelFunc
	done   chan error
	err    error
}

// startEngine returns the stream of the real encoder running on its
// synthetic sources (1280x720@30 testsrc, 48 kHz tone, libx264 + AAC).
// One engine is shared by the package's tests (one encode, many
// destinations, as in the application) and stopped by TestMain.
func startEngine(t *testing.T) *stream.Stream {
	t.Helper()
	testpeer.RequireBinaries(t, "ffprobe")
	shared.once.Do(func() {
		e := &engine.Engine{Config: engine.Config{
			Video:       engine.VideoSourceConfig{Kind: engine.KindTest},
			Audio:       engine.AudioSourceConfig{Kind: engine.KindTest},
			AudioCodecs: []unit.Codec{unit.CodecAAC},
			Logger:      testLogger(),
		}}
		if shared.err = e.Initialize(); shared.err != nil {
			return
		}
		ctx, cancel := context.WithCancel(context.Background())
		shared.e, shared.cancel, shared.done = e, cancel, make(chan error, 1)
		go func() { shared.done <- e.Run(ctx) }()
	})
	if shared.err != nil {
		t.Fatalf("engine: %v", shared.err)
	}
	return shared.e.Stream()
}

// stopEngine stops the shared engine, if it was started.
func stopEngine() error {
	if shared.e == nil {
		return nil
	}
	shared.cancel()
	err := <-shared.done
	shared.e.Close()
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// checkDecoded asserts an H.264 1280x720 + AAC stream that decoded without
// error, with about `sent` video frames.
func checkDecoded(t *testing.T, name string, a *testpeer.Analysis, sent uint64, minFrames int) {
	t.Helper()
	v, au := a.Stream("video"), a.Stream("audio")
	if v == nil || au == nil || v.CodecName != "h264" || au.CodecName != "aac" {
		t.Fatalf("%s: streams %+v, want h264 + aac (errors %q)", name, a.Streams, a.Errors)
	}
	if v.Width != 1280 || v.Height != 720 {
		t.Errorf("%s: video %dx%d, want 1280x720", name, v.Width, v.Height)
	}
	if len(a.Errors) > 0 {
		t.Errorf("%s: %d decode errors: %q", name, len(a.Errors), a.Errors[:min(len(a.Errors), 5)])
	}
	// No B-frames (zerolatency): presentation times must increase.
	last := -1.0
	for _, f := range a.Frames {
		if f.MediaType != "video" {
			continue
		}
		ts := f.Time()
		if ts <= last {
			t.Errorf("%s: video timestamp %.3f after %.3f", name, ts, last)
			break
		}
		last = ts
	}
	got := a.Count("video")
	if got < minFrames || uint64(got) > sent || uint64(got)+3 < sent {
		t.Errorf("%s: decoded %d video frames, sent %d (want at least %d, none lost)", name, got, sent, minFrames)
	}
	if a.Count("audio") < got { // 46.9 AAC frames/s against 30 video frames/s
		t.Errorf("%s: only %d audio frames for %d video frames", name, a.Count("audio"), got)
	}
}

// waitFrames waits until the handler has sent n video frames.
func waitFrames(t *testing.T, h *dest.Handler, n uint64, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for h.Status().FramesSent < n {
		if time.Now().After(deadline) {
			t.Fatalf("%s: sent %d frames, want %d (state %s, error %q)", h.Name, h.Status().FramesSent, n, h.Status().State, h.Status().LastError)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// closeAll closes handlers concurrently and returns their final status.
func closeAll(hs ...*dest.Handler) []dest.Status {
	var wg sync.WaitGroup
	for _, h := range hs {
		wg.Add(1)
		go func() { defer wg.Done(); h.Close() }()
	}
	wg.Wait()
	out := make([]dest.Status, len(hs))
	for i, h := range hs {
		out[i] = h.Status()
	}
	return out
}

// TestPublishTwoApplications publishes the encoder's stream for 10 s to
// two nginx applications at once and decodes each back with ffprobe.
func TestPublishTwoApplications(t *testing.T) {
	t.Parallel()
	ng := testpeer.StartNginxRTMP(t)
	s := startEngine(t)
	pa, pb := testpeer.StartRTMPPull(t, ng, "live", "first"), testpeer.StartRTMPPull(t, ng, "live2", "second")
	ha := startHandler(t, "a", s, &Publisher{URL: ng.RTMPURL("live", "first")})
	hb := startHandler(t, "b", s, &Publisher{URL: ng.RTMPURL("live2", ""), Key: "second"})
	waitState(t, ha, dest.StateLive, 10*time.Second)
	waitState(t, hb, dest.StateLive, 10*time.Second)
	waitFrames(t, ha, 150, 20*time.Second)
	st, err := ng.Stat()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []struct{ app, key string }{{"live", "first"}, {"live2", "second"}} {
		ns := st.Stream(w.app, w.key)
		if ns == nil || ns.Publishing == nil || ns.Video.Width != 1280 || ns.Video.Codec != "H264" || ns.Audio.Codec != "AAC" {
			t.Fatalf("nginx stat for %s/%s: %+v", w.app, w.key, ns)
		}
	}
	waitFrames(t, ha, 300, 20*time.Second)
	waitFrames(t, hb, 300, 20*time.Second)
	final := closeAll(ha, hb)
	for i, p := range []*testpeer.RTMPPull{pa, pb} {
		checkDecoded(t, final[i].Name, p.Wait(t), final[i].FramesSent, 295)
		// Only the frames before the first key frame (one GOP at most)
		// are dropped: the reader starts at a key frame.
		if final[i].Bytes < 2_000_000 || final[i].Dropped > 60 {
			t.Errorf("%s: bytes %d, dropped %d", final[i].Name, final[i].Bytes, final[i].Dropped)
		}
	}
}
