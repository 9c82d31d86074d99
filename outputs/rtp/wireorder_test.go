package rtp

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"

	"golive/media/engine"
	"golive/media/stream"
	"golive/media/unit"
	"golive/outputs/dest"
	"golive/outputs/rtptarget"
)

// startLiveEngine initializes an engine; run starts it once the outputs
// are subscribed.
func startLiveEngine(t *testing.T, audioBitrate, opusMaxPacket int) *engine.Engine {
	t.Helper()
	e := &engine.Engine{Config: engine.Config{
		Video: engine.VideoSourceConfig{Kind: engine.KindTest}, Audio: engine.AudioSourceConfig{Kind: engine.KindTest},
		Width: 640, Height: 360, FPS: 30, AudioBitrate: audioBitrate, OpusMaxPacket: opusMaxPacket,
		AudioCodecs: []unit.Codec{unit.CodecOpus},
	}}
	if err := e.Initialize(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e
}

// runEngine runs e until the returned function is called, which waits
// and returns the engine's error (nil when stopped).
func runEngine(e *engine.Engine) func() error {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	return func() error {
		cancel()
		err := <-done
		if errors.Is(err, context.Canceled) {
			return nil
		}
		return err
	}
}

// srClock maps one stream's RTP timestamps to the sender's wall clock
// through its first Sender Report (RFC 3550 section 6.4.1).
type srClock struct {
	rtpTime uint32
	ntp     time.Time
	rate    int
	ok      bool
}

func (c *srClock) at(ts uint32) time.Time {
	return c.ntp.Add(time.Duration(int32(ts-c.rtpTime)) * time.Second / time.Duration(c.rate))
}

func fromNTP(v uint64) time.Time {
	const ntpToUnix = 2208988800
	sec := int64(v>>32) - ntpToUnix
	frac := int64(v & 0xffffffff)
	return time.Unix(sec, frac*1e9>>32)
}

// checkRTPWireOrder maps every RTP packet to its media time through the
// Sender Reports and fails when an audio packet arrived after a video
// packet more than one frame interval later. It returns the counts.
func checkRTPWireOrder(t *testing.T, got []datagram, frame time.Duration) (audio, video int) {
	t.Helper()
	clocks := [2]srClock{{rate: videoClockRate}, {rate: opusClockRate}}
	for _, d := range got {
		if d.port != 1 && d.port != 3 {
			continue
		}
		pkts, err := rtcp.Unmarshal(d.data)
		if err != nil {
			continue
		}
		for _, p := range pkts {
			if sr, ok := p.(*rtcp.SenderReport); ok && !clocks[d.port/2].ok {
				c := &clocks[d.port/2]
				c.rtpTime, c.ntp, c.ok = sr.RTPTime, fromNTP(sr.NTPTime), true
			}
		}
	}
	if !clocks[0].ok || !clocks[1].ok {
		t.Fatalf("no sender report for video (%v) or audio (%v)", clocks[0].ok, clocks[1].ok)
	}
	var maxVideo time.Time
	var worst time.Duration
	bad := 0
	for i, d := range got {
		if d.port != 0 && d.port != 2 {
			continue
		}
		var h rtp.Header
		if _, err := h.Unmarshal(d.data); err != nil {
			t.Fatalf("datagram %d: %v", i, err)
		}
		media := clocks[d.port/2].at(h.Timestamp)
		if d.port == 0 {
			video++
			if media.After(maxVideo) {
				maxVideo = media
			}
			continue
		}
		audio++
		if !maxVideo.IsZero() {
			worst = max(worst, maxVideo.Sub(media))
		}
		if ahead := maxVideo.Sub(media); !maxVideo.IsZero() && ahead > frame {
			if bad < 5 {
				t.Errorf("datagram %d: audio at %v arrived after video %v later (limit %v)",
					i, media.Format("15:04:05.000"), ahead.Round(time.Millisecond), frame)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d audio packets arrived after video more than %v later", bad, audio, frame)
	}
	t.Logf("video at most %v ahead of the audio arriving after it", worst.Round(time.Millisecond))
	return audio, video
}

// TestNativeRTPWireOrder sends the real encoder's H.264 + Opus in native
// mode and checks, with kernel receive timestamps on both ports, that the
// packets arrive in media-time order (issue 16: audio left ~57 ms after
// the video of its instant).
func TestNativeRTPWireOrder(t *testing.T) {
	e := startLiveEngine(t, 0, 0)
	capture := startWireCapture(t, 0)
	tg := &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: capture.g.base, Mode: ModeNative, SDPPath: t.TempDir() + "/wire.sdp"}}
	h := &dest.Handler{Name: "wire", Kind: "rtp", Worker: tg, Stream: e.Stream(), Reader: tg.ReaderConfig()}
	if err := h.Initialize(); err != nil {
		t.Fatal(err)
	}
	stop := runEngine(e)
	deadline := time.Now().Add(30 * time.Second)
	for capture.count(2) < 200 && time.Now().Before(deadline) { // 4 s of 20 ms Opus
		time.Sleep(100 * time.Millisecond)
	}
	h.Close()
	if err := stop(); err != nil {
		t.Fatalf("engine: %v", err)
	}
	capture.stop()
	audio, video := checkRTPWireOrder(t, capture.datagrams(), time.Second/30)
	if audio < 150 || video < 100 {
		t.Fatalf("captured %d audio and %d video packets", audio, video)
	}
	t.Logf("%d audio and %d video packets in media-time order", audio, video)
}

// feedLateAudio writes synthetic 30 fps video 5 ms after its time and 20 ms
// Opus packets late by audioLate (as AAC comes out of its encoder), in
// real time until ctx ends.
func feedLateAudio(ctx context.Context, s *stream.Stream, audioLate time.Duration) {
	start := time.Now()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	var nextV, nextA time.Duration
	for frame := 0; ; {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		now := time.Since(start)
		for nextA+audioLate <= now {
			s.Write(&unit.Packet{Codec: unit.CodecOpus, PTS: nextA, DTS: nextA, Duration: 20 * time.Millisecond,
				Key: true, Data: fakeNALU(0x1c, 120)})
			nextA += 20 * time.Millisecond
		}
		for nextV+5*time.Millisecond <= now {
			nalus := [][]byte{fakeNALU(1, 3000)}
			if frame%30 == 0 {
				nalus = [][]byte{testSPS, testPPS, fakeNALU(5, 9000)}
			}
			s.Write(&unit.Packet{Codec: unit.CodecH264, PTS: nextV, DTS: nextV, Duration: time.Second / 30,
				Key: frame%30 == 0, Data: unit.JoinAnnexB(nil, nalus), NALUs: nalus})
			frame++
			nextV = time.Duration(frame) * time.Second / 30
		}
	}
}

// TestNativeRTPWireOrderLateAudio is TestNativeRTPWireOrder with audio
// reaching the output 60 ms after its time (the AAC encoder's delay, the
// case measured in issue 16): the merge must still send in order.
func TestNativeRTPWireOrderLateAudio(t *testing.T) {
	capture := startWireCapture(t, 0)
	tg := &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: capture.g.base, Mode: ModeNative, SDPPath: t.TempDir() + "/wire.sdp"}}
	s := stream.New(synthTracks())
	h := &dest.Handler{Name: "wire", Kind: "rtp", Worker: tg, Stream: s, Reader: tg.ReaderConfig()}
	if err := h.Initialize(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	feedLateAudio(ctx, s, 60*time.Millisecond)
	h.Close()
	s.Close()
	capture.stop()
	audio, video := checkRTPWireOrder(t, capture.datagrams(), time.Second/30)
	if audio < 100 || video < 60 {
		t.Fatalf("captured %d audio and %d video packets", audio, video)
	}
}
