package rtp

import (
	"context"
	"time"

	"golive/media/unit"
	"golive/outputs/dest"
	"golive/outputs/internal/tssend"
)

// mpegtsLeadIn is how long the first datagram, the stream's tables alone,
// precedes the first key frame: a receiver that spends one datagram on
// learning the payload type (ffmpeg or ffplay on rtp:// without an SDP)
// is ready again within about 0.5 ms on an idle machine and loses nothing
// of the first key frame; 200 ms leaves room for a loaded one and is well
// within the reader's 1 s queue.
const mpegtsLeadIn = 200 * time.Millisecond

// runMPEGTS muxes H.264 or HEVC + AAC into MPEG-TS with libavformat and
// sends it as RTP payload type 33 on Port (RFC 2250 section 2: an integral
// number of 188-byte TS packets per RTP packet, 90 kHz timestamps).
func (t *Target) runMPEGTS(ctx context.Context, s *dest.Session) error {
	ss, err := t.openSession(s, streamSpec{kind: "mpegts", pt: ptMP2T, clockRate: videoClockRate})
	if err != nil {
		return err
	}
	defer ss.close()
	st := ss.streams[0]
	size := t.tsPerPacket() * tsPacketSize
	x := &tssend.Sender{
		Proto:  "rtp",
		LeadIn: mpegtsLeadIn,
		Packer: &tssend.Packer{
			Buffer: func() []byte { return st.payloadBuffer()[:size] },
			Send:   func(n int) error { return st.sendPayload(n, false) },
		},
		Before: func(p *unit.Packet) {
			ss.begin(st, p)
			// RTP timestamp: the sampling instant of the newest data in
			// the payload, on the shared 90 kHz stream clock.
			st.hdr.Timestamp = st.timestamp(p.DTS)
		},
	}
	audio, err := x.Open(s)
	if err != nil {
		return err
	}
	if !audio {
		t.Logger.Warn("mpegts mode: the stream has no AAC track, sending video only")
	}
	ss.start()
	s.Live()
	err = x.Pump(ctx, s)
	// Close writes what the muxer still holds (packets waiting for
	// interleaving, the last PES): send it too, before the BYE.
	if cerr := x.Close(); cerr != nil && err == nil {
		err = cerr
	}
	return err
}
