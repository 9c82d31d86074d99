package rtp

import "testing"

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
