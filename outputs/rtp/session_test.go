package rtp

import (
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"

	"golive/outputs/dest"
	"golive/outputs/rtptarget"
)

// readRTP reads RTP packets from c for d.
func readRTP(t *testing.T, c *net.UDPConn, d time.Duration) []*rtp.Packet {
	t.Helper()
	var out []*rtp.Packet
	buf := make([]byte, 2048)
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		_ = c.SetReadDeadline(end)
		n, err := c.Read(buf)
		if err != nil {
			break
		}
		if isRTCP(buf[:n]) {
			continue
		}
		var p rtp.Packet
		if err := p.Unmarshal(append([]byte(nil), buf[:n]...)); err != nil {
			t.Fatalf("bad rtp packet: %v", err)
		}
		out = append(out, &p)
	}
	return out
}

// readRTCP waits for a compound RTCP packet containing a packet of type T.
func readRTCP[T rtcp.Packet](t *testing.T, c *net.UDPConn, timeout time.Duration) (T, *net.UDPAddr) {
	t.Helper()
	buf := make([]byte, 2048)
	end := time.Now().Add(timeout)
	for time.Now().Before(end) {
		_ = c.SetReadDeadline(end)
		n, from, err := c.ReadFromUDP(buf)
		if err != nil {
			break
		}
		if !isRTCP(buf[:n]) {
			continue
		}
		pkts, err := rtcp.Unmarshal(buf[:n])
		if err != nil {
			t.Fatalf("bad rtcp packet: %v", err)
		}
		for _, p := range pkts {
			if v, ok := p.(T); ok {
				return v, from
			}
		}
	}
	var zero T
	t.Fatalf("no %T within %v", zero, timeout)
	return zero, nil
}

// checkSequence verifies one SSRC, consecutive sequence numbers and the
// payload type.
func checkSequence(t *testing.T, kind string, pkts []*rtp.Packet, pt uint8) {
	t.Helper()
	if len(pkts) < 10 {
		t.Fatalf("%s: only %d packets", kind, len(pkts))
	}
	for i, p := range pkts {
		if p.PayloadType != pt || p.SSRC != pkts[0].SSRC {
			t.Fatalf("%s packet %d: pt %d ssrc %x", kind, i, p.PayloadType, p.SSRC)
		}
		if i > 0 && p.SequenceNumber != pkts[i-1].SequenceNumber+1 {
			t.Fatalf("%s packet %d: seq %d after %d", kind, i, p.SequenceNumber, pkts[i-1].SequenceNumber)
		}
	}
}

func TestNativeRTPAndRTCP(t *testing.T) {
	g := listenPorts(t, 4)
	tg := &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: g.base, Mode: ModeNative, SDPPath: filepath.Join(t.TempDir(), "n.sdp")}}
	h, stop := runTarget(t, tg)

	video := readRTP(t, g.conns[0], 1500*time.Millisecond)
	audio := readRTP(t, g.conns[2], 300*time.Millisecond)
	checkTimestamps(t, video, audio)

	sr, from := readRTCP[*rtcp.SenderReport](t, g.conns[1], 2*time.Second)
	if sr.PacketCount == 0 { // the report sent before the first packet
		sr, from = readRTCP[*rtcp.SenderReport](t, g.conns[1], 2*time.Second)
	}
	if sr.SSRC != video[0].SSRC || sr.PacketCount == 0 || sr.OctetCount == 0 {
		t.Fatalf("sender report %+v for ssrc %x", sr, video[0].SSRC)
	}
	asr, _ := readRTCP[*rtcp.SenderReport](t, g.conns[3], 2*time.Second)
	if asr.SSRC != audio[0].SSRC {
		t.Fatalf("audio sender report ssrc %x, want %x", asr.SSRC, audio[0].SSRC)
	}
	checkReportFiltering(t, tg, g.conns[1], sr, from)

	d := h.Status()
	if d.State != dest.StateLive || d.Detail["receiver"] != ReceiverOK || d.Detail["sdp"] != tg.SDPPath {
		t.Errorf("status %+v", d)
	}
	if d.Bytes == 0 || d.FramesSent == 0 {
		t.Errorf("counters not updated: %+v", d)
	}

	stop()
	bye, _ := readRTCP[*rtcp.Goodbye](t, g.conns[1], 2*time.Second)
	if len(bye.Sources) != 1 || bye.Sources[0] != sr.SSRC {
		t.Errorf("bye %+v", bye)
	}
}

// checkTimestamps: frames 3000 ticks apart at 90 kHz, Opus packets 960
// at 48 kHz.
func checkTimestamps(t *testing.T, video, audio []*rtp.Packet) {
	t.Helper()
	checkSequence(t, "video", video, ptH264)
	checkSequence(t, "audio", audio, ptOpus)
	var lastMarked *rtp.Packet
	for _, p := range video {
		if p.Marker {
			if lastMarked != nil && p.Timestamp-lastMarked.Timestamp != 3000 {
				t.Errorf("video frame step %d ticks, want 3000", p.Timestamp-lastMarked.Timestamp)
			}
			lastMarked = p
		}
	}
	for i := 1; i < len(audio); i++ {
		if d := audio[i].Timestamp - audio[i-1].Timestamp; d != 960 {
			t.Errorf("opus step %d, want 960", d)
		}
	}
}

// checkReportFiltering sends a Receiver Report from another address (to be
// ignored) and one from the receiver (to be counted).
func checkReportFiltering(t *testing.T, tg *Target, receiver *net.UDPConn, sr *rtcp.SenderReport, to *net.UDPAddr) {
	t.Helper()
	spoof, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 2)})
	if err != nil {
		t.Fatal(err)
	}
	defer spoof.Close()
	send := func(c *net.UDPConn, lost uint32) {
		rr := &rtcp.ReceiverReport{SSRC: 0x1234, Reports: []rtcp.ReceptionReport{{
			SSRC: sr.SSRC, FractionLost: 64, TotalLost: lost, Jitter: 900,
			LastSenderReport: uint32(sr.NTPTime >> 16), Delay: 0,
		}}}
		b, _ := rr.Marshal()
		if _, err := c.WriteToUDP(b, to); err != nil {
			t.Fatal(err)
		}
	}
	send(spoof, 999)
	send(receiver, 10)
	var st StreamStats
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if st = tg.Stats()["video"]; st.RRReceived > 0 {
			break
		}
	}
	if st.RRReceived != 1 || st.TotalLost != 10 || st.FractionLost != 0.25 || st.JitterMs != 10 {
		t.Errorf("stats after one receiver report: %+v", st)
	}
	if st.RTTMs < 0 || st.RTTMs > 5000 {
		t.Errorf("rtt %.1f ms", st.RTTMs)
	}
}

func TestNoReceiverKeepsSending(t *testing.T) {
	port := freePorts(t, 2)
	tg := &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: port, SDPPath: filepath.Join(t.TempDir(), "m.sdp")}}
	h, _ := runTarget(t, tg)
	deadline := time.Now().Add(5 * time.Second)
	for tg.Detail()["receiver"] != ReceiverNone && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := tg.Detail()["receiver"]; got != ReceiverNone {
		t.Fatalf("receiver %v, want %q: %+v %+v", got, ReceiverNone, tg.Detail(), h.Status())
	}
	if st := h.Status(); st.State != dest.StateLive || st.LastError != "" {
		t.Fatalf("status %s %q, want live without error", st.State, st.LastError)
	}
	// A player that starts now gets the stream.
	l, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	pkts := readRTP(t, l, time.Second)
	checkSequence(t, "mpegts", pkts, ptMP2T)
	for _, p := range pkts {
		if len(p.Payload)%tsPacketSize != 0 || p.Payload[0] != 0x47 {
			t.Fatalf("payload of %d bytes starting %x is not whole TS packets", len(p.Payload), p.Payload[0])
		}
	}
}

func TestSigned24(t *testing.T) {
	for in, want := range map[uint32]int32{0: 0, 5: 5, 0x7fffff: 0x7fffff, 0xffffff: -1, 0x800000: -0x800000} {
		if got := signed24(in); got != want {
			t.Errorf("signed24(%#x) = %d, want %d", in, got, want)
		}
	}
}
