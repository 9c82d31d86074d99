// Package peertest holds what the SRT and WHIP tests share: a running
// test-pattern engine, a reference RTMP destination on nginx-rtmp beside
// the destination under test, and the checks of what a receiver decoded.
// It is imported by tests only.
package peertest

import (
	"context"
	"slices"
	"testing"
	"time"

	"golive/media/engine"
	"golive/media/stream"
	"golive/media/testpeer"
	"golive/media/unit"
	"golive/outputs/dest"
	"golive/outputs/rtmp"
)

// Size of the test picture.
const (
	Width  = 640
	Height = 360
	FPS    = 30
)

// Engine is the test pattern (flash and beep once a second), 640x360@30,
// H.264 plus the given audio codecs, running from Start until Stop.
type Engine struct {
	*engine.Engine
	cancel context.CancelFunc
	done   chan error
}

// NewEngine initializes the engine; subscribe outputs, then Start.
func NewEngine(t *testing.T, keyframeInterval time.Duration, audio ...unit.Codec) *Engine {
	t.Helper()
	return newEngine(t, engine.Config{KeyframeInterval: keyframeInterval, AudioCodecs: audio})
}

// NewRenditionEngine is NewEngine (2 s GOP) with one more rendition, as
// a session runs a destination's own video (e.g. HEVC with libx265):
// publish from RenditionStream(r.ID).
func NewRenditionEngine(t *testing.T, r engine.Rendition, audio ...unit.Codec) *Engine {
	t.Helper()
	return newEngine(t, engine.Config{AudioCodecs: audio, Renditions: []engine.Rendition{r}})
}

func newEngine(t *testing.T, c engine.Config) *Engine {
	t.Helper()
	c.Video = engine.VideoSourceConfig{Kind: engine.KindTest}
	c.Audio = engine.AudioSourceConfig{Kind: engine.KindTest}
	c.Width, c.Height, c.FPS, c.VideoBitrate = Width, Height, FPS, 1_000_000
	e := &engine.Engine{Config: c}
	if err := e.Initialize(); err != nil {
		t.Fatal(err)
	}
	return &Engine{Engine: e, done: make(chan error, 1)}
}

// Start runs the engine; outputs subscribed before get the first key frame.
func (e *Engine) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	go func() { e.done <- e.Run(ctx) }()
}

// Stop ends and frees the engine.
func (e *Engine) Stop(t *testing.T) {
	if e.cancel != nil {
		e.cancel()
		if err := <-e.done; err != nil {
			t.Errorf("engine: %v", err)
		}
		e.cancel = nil
	}
	e.Close()
}

// Handler runs worker w as destination name of the given kind on the
// engine's stream, through the shared handler, as the session does (a
// reconnect asks the encoder for a key frame).
func (e *Engine) Handler(t *testing.T, name, kind string, w dest.Worker, r stream.ReaderConfig) *dest.Handler {
	t.Helper()
	h := &dest.Handler{Name: name, Kind: kind, Worker: w, Stream: e.Stream(), Reader: r, KeyFrame: e.RequestKeyFrame}
	if err := h.Initialize(); err != nil {
		t.Fatal(err)
	}
	return h
}

// BesideRTMP starts nginx-rtmp and a healthy RTMP destination on the
// engine's stream: the reference that must lose nothing while the
// destination under test fails and recovers.
func BesideRTMP(t *testing.T, e *Engine) *dest.Handler {
	t.Helper()
	n := testpeer.StartNginxRTMP(t)
	h := &dest.Handler{Name: "rtmp-beside", Kind: "rtmp", Stream: e.Stream(),
		Worker: &rtmp.Publisher{URL: n.RTMPURL("live", ""), Key: "beside"}, Reader: rtmp.ReaderConfig("rtmp-beside")}
	if err := h.Initialize(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	return h
}

// CheckBeside checks that the reference RTMP destination stayed live,
// never reconnected and dropped no frame, and sent what the engine encoded.
func CheckBeside(t *testing.T, h *dest.Handler, e *Engine) {
	t.Helper()
	st := h.Status()
	es := e.Stats()
	t.Logf("rtmp beside: %s, %d frames sent of %d encoded, %d dropped, %d reconnects",
		st.State, st.FramesSent, es.Encoded, st.Dropped, st.Reconnects)
	if st.State != dest.StateLive || st.Reconnects != 0 || st.Dropped != 0 || st.DroppedAudio != 0 {
		t.Errorf("rtmp beside: %+v: want live, no reconnect, nothing dropped", st)
	}
	if st.FramesSent+uint64(FPS) < es.Encoded {
		t.Errorf("rtmp beside sent %d frames of %d encoded", st.FramesSent, es.Encoded)
	}
}

// CheckRecording decodes what a receiver got: at least 95 % of the
// expected frames, no decode error, and the flash/beep offset within
// 40 ms. expected <= 0 counts the frames the recording's own time span
// should hold (a reader that joined mid-stream).
func CheckRecording(t *testing.T, input string, expected int, inputArgs ...string) *testpeer.Analysis {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	a, err := testpeer.Analyze(ctx, input, inputArgs...)
	if err != nil {
		t.Fatal(err)
	}
	v := a.Stream("video")
	if v == nil || v.CodecName != "h264" || v.Width != Width || v.Height != Height || a.Stream("audio") == nil {
		t.Fatalf("streams %+v: want h264 %dx%d and audio", a.Streams, Width, Height)
	}
	frames := a.Count("video")
	if expected <= 0 {
		expected, frames = spanFrames(a)
	}
	t.Logf("%s: %d of %d frames decoded, %d decode errors", input, frames, expected, len(a.Errors))
	if float64(frames) < 0.95*float64(expected) {
		t.Errorf("%d frames decoded of %d: want at least 95 %%", frames, expected)
	}
	if len(a.Errors) > 0 {
		t.Errorf("decode errors: %q", a.Errors[:min(5, len(a.Errors))])
	}
	sync, err := testpeer.AVSync(ctx, input, inputArgs, 0)
	if err != nil {
		t.Fatalf("a/v sync: %v", err)
	}
	t.Logf("a/v offsets %v (max |%v|)", sync.Offsets, sync.MaxAbsOffset)
	if sync.MaxAbsOffset > 40*time.Millisecond {
		t.Errorf("a/v offset %v: want within ±40 ms", sync.MaxAbsOffset)
	}
	return a
}

// MissingFrames is how many video frames the recording's own time span
// should hold but does not: frames a receiver lost on the way.
func MissingFrames(a *testpeer.Analysis) int {
	span, n := spanFrames(a)
	return max(0, span-n)
}

// spanFrames is how many frames the video's first to last timestamp
// hold, and how many it holds, leaving out the first GridSettle frames:
// an RTSP or RTP reader of audio and video stamps the frames it reads
// before the video's first RTCP sender report by RTP time and the later
// ones by the reports' clock, which puts its first frame up to 0.7 s off
// the others (measured with MediaMTX's RTSP and ffmpeg: a gap, or frames
// piled on one timestamp, right after the first frame).
func spanFrames(a *testpeer.Analysis) (span, n int) {
	var times []float64
	for _, f := range a.Frames {
		if f.MediaType == "video" && f.Time() >= 0 {
			times = append(times, f.Time())
		}
	}
	slices.Sort(times)
	if len(times) > GridSettle {
		times = times[GridSettle:]
	}
	if len(times) == 0 {
		return 1, 0
	}
	return int((times[len(times)-1]-times[0])*FPS+0.5) + 1, len(times)
}
