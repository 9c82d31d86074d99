package rtmp

import (
	"bytes"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	gortmp "github.com/yutopp/go-rtmp"
	rtmpmsg "github.com/yutopp/go-rtmp/message"

	"golive/media/unit"
	"golive/outputs/dest"
)

// TestSequenceEndBodies: the end-of-sequence tags are what FFmpeg's FLV
// muxer writes (H.264: key frame, AVC, packet type 2, composition time
// 0) and what Enhanced RTMP readers accept (exactly 5 bytes: header and
// FourCC; MediaMTX refuses any other length).
func TestSequenceEndBodies(t *testing.T) {
	for c, want := range map[unit.Codec][]byte{
		unit.CodecH264: {0x17, 0x02, 0, 0, 0},
		unit.CodecHEVC: {0x80 | 1<<4 | 2, 'h', 'v', 'c', '1'},
		unit.CodecAV1:  {0x80 | 1<<4 | 2, 'a', 'v', '0', '1'},
	} {
		if got := appendSequenceEnd(nil, c); !bytes.Equal(got, want) {
			t.Errorf("%s: % x, want % x", c, got, want)
		}
	}
}

// endHandler records, per publish, the video bodies' first bytes and
// the order of video and FCUnpublish/deleteStream.
type endHandler struct {
	gortmp.DefaultHandler
	mu     sync.Mutex
	events []string
	last   []byte
}

func (h *endHandler) OnVideo(_ uint32, p io.Reader) error {
	b, _ := io.ReadAll(io.LimitReader(p, 16))
	h.mu.Lock()
	defer h.mu.Unlock()
	h.last = b
	if n := len(h.events); n == 0 || h.events[n-1] != "video" {
		h.events = append(h.events, "video")
	}
	return nil
}

func (h *endHandler) OnFCUnpublish(_ uint32, _ *rtmpmsg.NetStreamFCUnpublish) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, "FCUnpublish")
	return nil
}

func (h *endHandler) OnDeleteStream(_ uint32, _ *rtmpmsg.NetStreamDeleteStream) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, "deleteStream")
	return nil
}

// TestUnpublishEndsTheSequence publishes the real encoder to a go-rtmp
// server and stops: the last video message is the AVC end of sequence,
// sent before FCUnpublish and deleteStream (as ffmpeg does at its
// trailer), so a recorder or relay sees the stream end cleanly.
func TestUnpublishEndsTheSequence(t *testing.T) {
	s := startEngine(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &endHandler{}
	quiet := logrus.New()
	quiet.SetOutput(io.Discard)
	srv := gortmp.NewServer(&gortmp.ServerConfig{
		OnConnect: func(c net.Conn) (io.ReadWriteCloser, *gortmp.ConnConfig) {
			return c, &gortmp.ConnConfig{Handler: h, Logger: quiet}
		},
	})
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close(); <-done })

	hd := startHandler(t, "eos", s, &Publisher{URL: "rtmp://" + l.Addr().String() + "/live", Key: "eos"})
	waitState(t, hd, dest.StateLive, 15*time.Second)
	time.Sleep(time.Second)
	hd.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		h.mu.Lock()
		events, last := append([]string(nil), h.events...), h.last
		h.mu.Unlock()
		if len(events) >= 3 || time.Now().After(deadline) {
			if want := []byte{0x17, 0x02, 0, 0, 0}; !bytes.Equal(last, want) {
				t.Errorf("last video message % x, want the AVC end of sequence % x", last, want)
			}
			if len(events) < 3 || events[len(events)-3] != "video" || events[len(events)-2] != "FCUnpublish" ||
				events[len(events)-1] != "deleteStream" {
				t.Errorf("events %v, want ... video, FCUnpublish, deleteStream", events)
			}
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}
