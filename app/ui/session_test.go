package ui

import (
	"image"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"go.uber.org/goleak"

	"golive/app/profile"
	"golive/outputs/dest"
)

// udpSink counts the RTP packets arriving on a loopback port.
type udpSink struct {
	conn    *net.UDPConn
	packets atomic.Int64
	bytes   atomic.Int64
	done    chan struct{}
}

func newUDPSink(t *testing.T) *udpSink {
	t.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	s := &udpSink{conn: conn, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		buf := make([]byte, 65536)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				return
			}
			// RTP version 2 in the first two bits.
			if n >= 12 && buf[0]>>6 == 2 {
				s.packets.Add(1)
				s.bytes.Add(int64(n))
			}
		}
	}()
	t.Cleanup(func() { conn.Close(); <-s.done })
	return s
}

func (s *udpSink) port() int { return s.conn.LocalAddr().(*net.UDPAddr).Port }

// TestGoLiveRTPWithRealSession drives the real session from the window:
// test pattern, silence, one RTP target on loopback. The row must turn
// live with the engine's bitrate, packets must arrive, and End Stream
// must return to idle.
func TestGoLiveRTPWithRealSession(t *testing.T) {
	if testing.Short() {
		t.Skip("encodes video for a few seconds")
	}
	sink := newUDPSink(t)
	raw, store := newTestStore(t)
	a := test.NewTempApp(t)
	// Checked after the window's cleanup has closed any session.
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
	p := profile.DefaultProfile()
	p.Capture = profile.Capture{Source: profile.SourceTest, Audio: profile.AudioNone}
	p.Encoder.Width, p.Encoder.Height, p.Encoder.FPS = 640, 360, 30
	p.Encoder.VideoBitrate = 800_000
	p.Destinations = []profile.Destination{{Name: "Preview", Kind: profile.KindRTP, Enabled: true,
		RTP: &profile.RTP{Host: "127.0.0.1", Port: sink.port(), Mode: "mpegts", SDPPath: t.TempDir() + "/p.sdp"}}}
	if err := raw.Put(p); err != nil {
		t.Fatal(err)
	}
	if err := raw.Select(p.Name); err != nil {
		t.Fatal(err)
	}
	eng := &sessionEngine{log: testLogger(t)}
	eng.devicesOnce.Do(func() {}) // no device probing: the test source needs none
	w := newTestWindowOn(t, a, store, eng)

	test.Tap(w.action.button)
	w.bg.Wait()
	if w.phase != phaseLive {
		t.Fatalf("not live: %q", w.notices.Text("engine"))
	}
	row := w.dests.row("Preview")
	st := waitForLive(t, w, "Preview")
	if st.BitrateKbps <= 0 {
		t.Fatalf("engine reports %v kb/s", st.BitrateKbps)
	}
	if row.state.Text != "live" || row.rate.Text != formatBitrate(st.BitrateKbps) {
		t.Fatalf("row shows %q / %q, engine says %s / %s", row.state.Text, row.rate.Text, st.State, formatBitrate(st.BitrateKbps))
	}
	// The RTP preview on 127.0.0.1 is no upload: the status bar shows it as local.
	if w.status.upload.Text != "Upload 0 kb/s · local "+formatBitrate(w.last.UploadKbps) || w.last.UploadKbps <= 0 {
		t.Fatalf("status bar %q, engine upload %v", w.status.upload.Text, w.last.UploadKbps)
	}
	// Everything received was sent: the receiver's count, read first,
	// cannot exceed the engine's byte counter read afterwards.
	packets, received := sink.packets.Load(), sink.bytes.Load()
	sent, _ := w.live.Stats().output("Preview")
	if packets == 0 || uint64(received) > sent.Bytes {
		t.Fatalf("sink got %d packets / %d bytes, engine sent %d bytes", packets, received, sent.Bytes)
	}
	// The preview shows the captured picture (polled at 10 Hz).
	deadline := time.Now().Add(10 * time.Second)
	for w.preview.image.Image == nil && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		w.tickFast()
	}
	if img, ok := w.preview.image.Image.(*image.RGBA); !ok || img.Bounds().Dx() < 100 || w.preview.empty.Visible() {
		t.Fatalf("no preview picture while live: %T", w.preview.image.Image)
	}
	path, err := w.live.SDPPath("Preview")
	if err != nil || path == "" {
		t.Fatalf("SDP path %q: %v", path, err)
	}

	w.endStream(nil)
	w.bg.Wait()
	if w.phase != phaseIdle || w.live != nil || row.state.Text == "live" {
		t.Fatalf("after End: phase %v, row %q", w.phase, row.state.Text)
	}
}

// waitForLive polls like the window's ticker until the destination is
// live with a bitrate, or fails after a generous timeout.
func waitForLive(t *testing.T, w *mainWindow, name string) dest.Status {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(250 * time.Millisecond)
		w.tick()
		if st, ok := w.last.output(name); ok && st.State == dest.StateLive && st.BitrateKbps > 0 {
			return st
		}
		if w.phase != phaseLive {
			t.Fatalf("stream stopped: %q", w.notices.Text("engine"))
		}
	}
	st, _ := w.last.output(name)
	t.Fatalf("destination not live with a bitrate: %+v", st)
	return st
}
