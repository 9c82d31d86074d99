package rtp

import (
	"context"
	"fmt"

	"golive/media/mux"
	"golive/media/unit"
	"golive/outputs/dest"
)

// tsOptions make the MPEG-TS a player can join at any time: PAT/PMT ten
// times a second and again at each key frame, PCR every 20 ms, and every
// packet flushed at once (no extra latency in the I/O buffer). H.264 and
// HEVC (stream types 0x1b and 0x24) key frames carry their parameter sets
// in band. The interleaver waits at most 300 ms for a late track, so a
// stalled audio encoder cannot hold video back.
var tsOptions = map[string]string{
	"pat_period":           "0.1",
	"pcr_period":           "20",
	"mpegts_flags":         "+resend_headers",
	"flush_packets":        "1",
	"max_interleave_delta": "300000",
}

// tsPacketizer groups MPEG-TS packets into RTP payloads (RFC 2250 section
// 2: an integral number of 188-byte TS packets per RTP packet, payload type
// 33, 90 kHz timestamps). It is the muxer's io.Writer.
type tsPacketizer struct {
	st      *rtpStream
	perPkt  int // TS packets per RTP packet
	pending int // bytes of TS waiting in st's payload buffer
	err     error
}

// Write takes TS bytes from the muxer and sends every full RTP payload.
func (z *tsPacketizer) Write(b []byte) (int, error) {
	if z.err != nil {
		return 0, z.err
	}
	n := len(b)
	size := z.perPkt * tsPacketSize
	for len(b) > 0 {
		buf := z.st.payloadBuffer()[:size]
		c := copy(buf[z.pending:], b)
		z.pending += c
		b = b[c:]
		if z.pending == size {
			if err := z.flush(); err != nil {
				return n - len(b), err
			}
		}
	}
	return n, nil
}

// flush sends what is pending, whole TS packets only (a muxer always
// writes whole packets, so nothing stays behind in practice).
func (z *tsPacketizer) flush() error {
	whole := z.pending / tsPacketSize * tsPacketSize
	if whole == 0 {
		return nil
	}
	if err := z.st.sendPayload(whole, false); err != nil {
		z.err = err
		return err
	}
	buf := z.st.payloadBuffer()
	z.pending = copy(buf, buf[whole:z.pending])
	return nil
}

// runMPEGTS muxes H.264 or HEVC + AAC into MPEG-TS with libavformat and sends it
// as RTP payload type 33 on Port.
func (t *Target) runMPEGTS(ctx context.Context, s *dest.Session) error {
	ss, err := t.openSession(s, streamSpec{kind: "mpegts", pt: ptMP2T, clockRate: videoClockRate})
	if err != nil {
		return err
	}
	defer ss.close()
	st := ss.streams[0]
	z := &tsPacketizer{st: st, perPkt: t.tsPerPacket()}
	m := &mux.Muxer{
		Format: "mpegts", Writer: z, PacketSize: z.perPkt * tsPacketSize,
		Tracks: s.Tracks, Options: tsOptions,
	}
	if s.Tracks.AudioFor(unit.CodecAAC) != nil {
		m.AudioCodec = unit.CodecAAC
	} else {
		t.Logger.Warn("mpegts mode: the stream has no AAC track, sending video only")
	}
	if err := m.Initialize(); err != nil {
		return dest.Fatal(fmt.Errorf("rtp mpegts muxer: %w", err))
	}
	ss.start()
	s.Live()
	err = t.pumpMPEGTS(ctx, s, ss, z, m)
	// Close writes what the muxer still holds (packets waiting for
	// interleaving, the last PES): send it too, before the BYE.
	cerr := m.Close()
	if ferr := z.flush(); cerr == nil && z.err == nil {
		cerr = ferr
	}
	if cerr != nil && err == nil {
		err = cerr
	}
	return err
}

func (t *Target) pumpMPEGTS(ctx context.Context, s *dest.Session, ss *session, z *tsPacketizer, m *mux.Muxer) error {
	st := ss.streams[0]
	for {
		p, err := s.Reader.Read(ctx)
		if err != nil {
			return err
		}
		if p.Codec != m.Tracks.Video.Codec && p.Codec != m.AudioCodec {
			continue
		}
		ss.begin(st, p)
		// RTP timestamp: the sampling instant of the newest data in
		// the payload, on the shared 90 kHz stream clock.
		st.hdr.Timestamp = st.timestamp(p.DTS)
		if err := m.WritePacket(p); err != nil {
			if z.err != nil {
				return z.err
			}
			return fmt.Errorf("rtp mpegts: %w", err)
		}
		if err := z.flush(); err != nil {
			return err
		}
		if p.Codec == m.Tracks.Video.Codec {
			s.Counters.FramesSent.Add(1)
		}
	}
}
