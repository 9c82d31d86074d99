package rtp

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"

	"golive/media/stream"
	"golive/media/unit"
	"golive/outputs/dest"
	"golive/outputs/rtptarget"
)

// TestSRTPFirstSequenceBelow2To15 starts 200 streams in every SRTP mode
// (native video and audio, mpegts; with and without the RCC transform) and
// checks every first sequence number is below 2^15 (issue 16: SDES cannot
// carry the rollover counter, so a first number near 65535 wrapped within
// seconds and receivers assumed the wrong ROC). Plain RTP keeps the whole
// 16-bit range (RFC 3550 section 5.1 wants it random).
func TestSRTPFirstSequenceBelow2To15(t *testing.T) {
	key, err := newSRTPKey()
	if err != nil {
		t.Fatal(err)
	}
	modes := []struct {
		kind      string
		pt        uint8
		clockRate int
		rcc       bool
	}{
		{"video", ptH264, videoClockRate, false},
		{"audio", ptOpus, opusClockRate, false},
		{"mpegts", ptMP2T, videoClockRate, false},
		{"mpegts", ptMP2T, videoClockRate, true},
	}
	for _, m := range modes {
		var ts targetStats
		seen := map[uint16]bool{}
		for range 200 {
			st, err := newRTPStream(m.kind, m.pt, m.clockRate, DefaultMTU, key, m.rcc, &ts)
			if err != nil {
				t.Fatal(err)
			}
			if seq := st.hdr.SequenceNumber; seq >= 1<<15 {
				t.Fatalf("%s (rcc %v): first sequence number %d, want < 32768", m.kind, m.rcc, seq)
			}
			seen[st.hdr.SequenceNumber] = true
		}
		if len(seen) < 150 {
			t.Errorf("%s (rcc %v): only %d distinct first sequence numbers in 200 starts: not random", m.kind, m.rcc, len(seen))
		}
	}
	var ts targetStats
	high := 0
	for range 200 {
		st, err := newRTPStream("video", ptH264, videoClockRate, DefaultMTU, nil, false, &ts)
		if err != nil {
			t.Fatal(err)
		}
		if st.hdr.SequenceNumber >= 1<<15 {
			high++
		}
	}
	if high < 50 {
		t.Errorf("plain RTP: %d of 200 first sequence numbers >= 32768, want the full range", high)
	}
}

// TestSRTPLateReceiverBeforeFirstWrap: a receiver that starts decrypting
// 32767 packets after the first one (the latest point a first sequence
// number below 2^15 guarantees to be before the first wrap) assumes ROC 0,
// as every SDES receiver must, and decrypts. pion/srtp is the receiver;
// with the old start anywhere in 0-65535 half of the starts failed.
func TestSRTPLateReceiverBeforeFirstWrap(t *testing.T) {
	capture := startWireCapture(t, 0)
	tg := &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: capture.g.base, Mode: ModeNative, MTU: MinMTU, SRTP: true,
		SDPPath: filepath.Join(t.TempDir(), "late.sdp")}}
	s := stream.New(synthTracks())
	h := &dest.Handler{Name: "late", Kind: "rtp", Worker: tg, Stream: s, Reader: tg.ReaderConfig()}
	if err := h.Initialize(); err != nil {
		t.Fatal(err)
	}
	const join = 1<<15 - 1
	nalus := [][]byte{testSPS, testPPS, fakeNALU(5, 20000)} // ~90 packets at mtu 256
	deadline := time.Now().Add(60 * time.Second)
	for i := 0; capture.count(0) < join+300; i++ {
		if time.Now().After(deadline) {
			t.Fatalf("only %d packets sent", capture.count(0))
		}
		d := time.Duration(i) * time.Millisecond
		s.Write(&unit.Packet{Codec: unit.CodecH264, PTS: d, DTS: d, Key: true, Duration: time.Millisecond,
			Data: unit.JoinAnnexB(nil, nalus), NALUs: nalus})
		if i%8 == 7 {
			time.Sleep(2 * time.Millisecond) // let the sender and the capture keep up
		}
	}
	h.Close()
	s.Close()
	capture.stop()
	var first uint16
	var late [][]byte
	n := 0
	for _, d := range capture.datagrams() {
		if d.port != 0 {
			continue
		}
		var hdr rtp.Header
		if _, err := hdr.Unmarshal(d.data); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			first = hdr.SequenceNumber
		}
		// Packets by their distance from the first (UDP may lose some).
		if dist := hdr.SequenceNumber - first; dist >= join && len(late) < 200 {
			late = append(late, d.data)
		}
		n++
	}
	if first >= 1<<15 {
		t.Fatalf("first sequence number %d", first)
	}
	rx, err := srtp.CreateContext(tg.key[:16], tg.key[16:], srtp.ProtectionProfileAes128CmHmacSha1_80)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range late {
		if _, err := rx.DecryptRTP(nil, p, nil); err != nil {
			t.Fatalf("late receiver, packet %d after joining (first sequence %d): %v", i, first, err)
		}
	}
	if len(late) < 100 {
		t.Fatalf("only %d packets after the join point", len(late))
	}
	t.Logf("first sequence %d; a receiver joining %d packets later decrypted %d packets", first, join, len(late))
}
