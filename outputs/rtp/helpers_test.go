package rtp

import (
	"context"
	"net"
	"testing"
	"time"

	"go.uber.org/goleak"

	"golive/media/stream"
	"golive/media/testpeer"
	"golive/media/unit"
	"golive/outputs/dest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(testpeer.OwnTempDir(m))
}

// udpGroup holds n consecutive UDP ports on 127.0.0.1, the first even.
type udpGroup struct {
	base  int
	conns []*net.UDPConn
}

// listenPorts binds n consecutive loopback ports starting at an even one,
// outside the kernel's ephemeral range (testpeer.PickPort): freePorts
// releases them for a receiver to bind, and no socket bound to port 0
// meanwhile can take one.
func listenPorts(t testing.TB, n int) *udpGroup {
	t.Helper()
	for try := 0; try < 200; try++ {
		base, err := testpeer.PickPort("udp", n, true)
		if err != nil {
			t.Fatal(err)
		}
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: base})
		if err != nil {
			continue
		}
		g := &udpGroup{base: base, conns: []*net.UDPConn{c}}
		for i := 1; i < n; i++ {
			ci, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: base + i})
			if err != nil {
				break
			}
			g.conns = append(g.conns, ci)
		}
		if len(g.conns) == n {
			t.Cleanup(g.close)
			return g
		}
		g.close()
	}
	t.Fatal("no free consecutive UDP ports")
	return nil
}

func (g *udpGroup) close() {
	for _, c := range g.conns {
		c.Close()
	}
}

// freePorts finds n consecutive free ports (even first) and releases them,
// for an external receiver to bind.
func freePorts(t testing.TB, n int) int {
	t.Helper()
	g := listenPorts(t, n)
	g.close()
	return g.base
}

// synthTracks are codec parameters of a fake stream (the payloads are not
// decodable; used where only the RTP layer is checked).
func synthTracks() unit.Tracks {
	return unit.Tracks{
		Video: &unit.VideoParams{Codec: unit.CodecH264, Width: 1280, Height: 720, FPS: 30, SPS: testSPS, PPS: testPPS},
		Audio: []*unit.AudioParams{
			{Codec: unit.CodecOpus, SampleRate: 48000, Channels: 2, FrameSize: 960},
			{Codec: unit.CodecAAC, SampleRate: 48000, Channels: 2, FrameSize: 1024, Config: []byte{0x11, 0x90}},
		},
	}
}

// feedSynthetic writes fake 30 fps video (a key frame every 30 frames)
// and 20 ms Opus packets in real time until ctx ends.
func feedSynthetic(ctx context.Context, s *stream.Stream) {
	start := time.Now()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	var nextV, nextA time.Duration
	frame := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		now := time.Since(start)
		for nextA <= now {
			s.Write(&unit.Packet{Codec: unit.CodecOpus, PTS: nextA, DTS: nextA, Duration: 20 * time.Millisecond,
				Key: true, Data: fakeNALU(0x1c, 120), CaptureTime: start.Add(nextA)})
			s.Write(&unit.Packet{Codec: unit.CodecAAC, PTS: nextA, DTS: nextA, Duration: 20 * time.Millisecond,
				Key: true, Data: fakeNALU(0x1c, 200), CaptureTime: start.Add(nextA)})
			nextA += 20 * time.Millisecond
		}
		for nextV <= now {
			key := frame%30 == 0
			nalus := [][]byte{fakeNALU(1, 4000)}
			if key {
				nalus = [][]byte{testSPS, testPPS, fakeNALU(5, 20000)}
			}
			s.Write(&unit.Packet{Codec: unit.CodecH264, PTS: nextV, DTS: nextV, Duration: time.Second / 30,
				Key: key, Data: unit.JoinAnnexB(nil, nalus), NALUs: nalus, CaptureTime: start.Add(nextV)})
			frame++
			nextV = time.Duration(frame) * time.Second / 30
		}
	}
}

// runTarget publishes a synthetic stream to tg through a dest.Handler
// until the returned stop function is called.
func runTarget(t testing.TB, tg *Target) (h *dest.Handler, stop func()) {
	t.Helper()
	s := stream.New(synthTracks())
	h = &dest.Handler{Name: "rtp", Kind: "rtp", Worker: tg, Stream: s, Reader: tg.ReaderConfig()}
	if err := h.Initialize(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); feedSynthetic(ctx, s) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		<-done
		h.Close()
		s.Close()
	}
	t.Cleanup(stop)
	return h, stop
}
