package rtmp

import (
	"context"
	"io"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	gortmp "github.com/yutopp/go-rtmp"

	"golive/media/testpeer"
	"golive/media/unit"
	"golive/outputs/dest"
	"golive/outputs/interleave"
)

// wireMessage is one media message as a server received it.
type wireMessage struct {
	video   bool
	ts      uint32
	arrival time.Time
}

// captureHandler records the media messages of a publish in arrival order.
type captureHandler struct {
	gortmp.DefaultHandler
	mu   *sync.Mutex
	msgs *[]wireMessage
}

func (h *captureHandler) add(video bool, ts uint32, payload io.Reader) error {
	b := make([]byte, 2)
	n, _ := io.ReadFull(payload, b)
	if n == 2 && b[1] == 0 { // a sequence header, not media
		return nil
	}
	h.mu.Lock()
	*h.msgs = append(*h.msgs, wireMessage{video: video, ts: ts, arrival: time.Now()})
	h.mu.Unlock()
	return nil
}

func (h *captureHandler) OnAudio(ts uint32, p io.Reader) error { return h.add(false, ts, p) }
func (h *captureHandler) OnVideo(ts uint32, p io.Reader) error { return h.add(true, ts, p) }

// startCaptureServer is a go-rtmp server that accepts any publish and
// records its media messages.
func startCaptureServer(t *testing.T) (url string, snapshot func() []wireMessage) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var msgs []wireMessage
	quiet := logrus.New()
	quiet.SetOutput(io.Discard)
	srv := gortmp.NewServer(&gortmp.ServerConfig{
		OnConnect: func(c net.Conn) (io.ReadWriteCloser, *gortmp.ConnConfig) {
			return c, &gortmp.ConnConfig{Handler: &captureHandler{mu: &mu, msgs: &msgs}, Logger: quiet}
		},
	})
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close(); <-done })
	return "rtmp://" + l.Addr().String() + "/live", func() []wireMessage {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(msgs)
	}
}

// checkWireOrder fails when, before an audio message, a video message more
// than one frame interval later was sent. It returns how late audio and
// video arrived relative to their timestamps (medians, from the earliest
// message's arrival-minus-timestamp).
func checkWireOrder(t *testing.T, msgs []wireMessage, frame time.Duration) (audioLate, videoLate time.Duration) {
	t.Helper()
	var maxVideo int64 = -1
	var nAudio, nVideo, bad int
	var base time.Time
	for _, m := range msgs {
		at := m.arrival.Add(-time.Duration(m.ts) * time.Millisecond)
		if base.IsZero() || at.Before(base) {
			base = at
		}
	}
	var al, vl []time.Duration
	for i, m := range msgs {
		late := m.arrival.Add(-time.Duration(m.ts) * time.Millisecond).Sub(base)
		if m.video {
			nVideo++
			maxVideo = max(maxVideo, int64(m.ts))
			vl = append(vl, late)
			continue
		}
		nAudio++
		al = append(al, late)
		if ahead := time.Duration(maxVideo-int64(m.ts)) * time.Millisecond; ahead > frame {
			if bad < 5 {
				t.Errorf("message %d: audio ts=%d sent after video ts=%d (%v ahead, limit %v)", i, m.ts, maxVideo, ahead, frame)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d audio messages sent after video more than %v later", bad, nAudio, frame)
	}
	if nAudio < 100 || nVideo < 60 {
		t.Fatalf("captured %d audio and %d video messages, want >= 100 and >= 60", nAudio, nVideo)
	}
	slices.Sort(al)
	slices.Sort(vl)
	return al[len(al)/2], vl[len(vl)/2]
}

// TestRTMPWireOrder captures a publish of the real encoder (testsrc +
// tone, libx264 + AAC) at a Go RTMP server and checks the interleaving:
// no audio message follows a video message more than one frame interval
// later (issue 16: audio went out ~57 ms after the video of its instant).
func TestRTMPWireOrder(t *testing.T) {
	s := startEngine(t)
	url, snapshot := startCaptureServer(t)
	p := &Publisher{URL: url, Key: "order"}
	h := startHandler(t, "wire", s, p)
	waitState(t, h, dest.StateLive, 15*time.Second)
	before := shared.e.Stats()
	pressure := testpeer.ReadCPUPressure()
	deadline := time.Now().Add(30 * time.Second)
	for len(snapshot()) < 400 && time.Now().Before(deadline) { // ~5 s of media
		time.Sleep(100 * time.Millisecond)
	}
	h.Close()
	after := shared.e.Stats()
	frame := time.Second / time.Duration(s.Tracks().Video.FPS)
	audioLate, videoLate := checkWireOrder(t, snapshot(), frame)
	t.Logf("median arrival after timestamp: audio %v, video %v (relative)", audioLate, videoLate)
	loaded := testpeer.RelaxForSkips(t, "engine", after.Skipped-before.Skipped, after.Captured-before.Captured)
	if share, ok := pressure.Share(); ok && share > latencyBusyPressure {
		t.Logf("CPU pressure over the run: tasks waited for a CPU %.0f%% of the time (above %.0f%%: loaded)",
			share*100, latencyBusyPressure*100)
		loaded = true
	}
	checkLatency(t, &p.latency, loaded)
}

// Capture→wire p50 limits of TestRTMPWireOrder's 720p30 test source.
// AAC leaves libavcodec's encoder 64 ms (3 frames) after its timestamp,
// plus up to one 20 ms capture chunk, and a frame waits until the audio
// sent reaches 10 ms past its instant (interleave.ArrivalLead, set by lip
// sync at arrival-stamping servers): p50 measured 81-82 ms (90-91 ms when a frame
// waited for the audio packet after its instant). When the engine
// skipped frames, or tasks waited for a CPU more than latencyBusyPressure
// of the time (Linux PSI), the machine is loaded, and the limit relaxes,
// as the log says; it still fails past latencyP50Loaded.
const (
	latencyP50Limit     = 88 * time.Millisecond
	latencyP50Loaded    = 150 * time.Millisecond
	latencyBusyPressure = 0.5
)

// checkLatency checks the publisher's capture→wire histogram.
func checkLatency(t *testing.T, h *latencyHist, loaded bool) {
	t.Helper()
	p50, ok := h.percentile(0.50)
	if !ok {
		t.Fatal("no capture→wire latency recorded")
	}
	p95, _ := h.percentile(0.95)
	limit := latencyP50Limit
	if loaded {
		limit = latencyP50Loaded
		t.Logf("capture→wire p50 limit relaxed to %v under load", limit)
	}
	t.Logf("capture→wire latency of video: p50 %v ms, p95 %v ms over %d frames", p50, p95, h.total.Load())
	if got := time.Duration(p50 * float64(time.Millisecond)); got > limit {
		t.Errorf("capture→wire p50 %v, want <= %v", got, limit)
	}
}

// BenchmarkMuxFrame is one frame interval of the muxer's work on a
// discarding connection: a 10 kB video frame and its audio (1.5 AAC
// packets on average) merged by timestamp, tagged and written in one
// batch. Compare with BenchmarkWriteVideo: the merge adds ~20 ns.
func BenchmarkMuxFrame(b *testing.B) {
	var hist latencyHist
	c := testConn(b, &discardConn{Conn: pipeConn(b, true).Conn}, &hist)
	defer c.close()
	tr := unit.Tracks{Video: &unit.VideoParams{Codec: unit.CodecH264, FPS: 30},
		Audio: []*unit.AudioParams{{Codec: unit.CodecAAC}}}
	m := &muxer{c: c, streamID: 1, sentAVC: true, s: &dest.Session{Tracks: tr, Counters: &dest.Counters{}}, p: &Publisher{}}
	m.merge = interleave.Merger{Video: true, Audio: true}
	nalus := [][]byte{make([]byte, 10_000)}
	video := &unit.Packet{Codec: unit.CodecH264, Duration: time.Second / 30, Data: nalus[0], NALUs: nalus}
	audio := &unit.Packet{Codec: unit.CodecAAC, Duration: 21 * time.Millisecond, Data: make([]byte, 400)}
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(10_000)
	for i := 0; b.Loop(); i++ {
		now := time.Now()
		video.DTS = time.Duration(i) * time.Second / 30
		video.PTS = video.DTS
		m.merge.Push(video, now)
		audio.DTS = video.DTS
		m.merge.Push(audio, now)
		if err := m.send(ctx, now); err != nil {
			b.Fatal(err)
		}
	}
}
