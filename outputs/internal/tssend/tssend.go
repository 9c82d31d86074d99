// Package tssend is the MPEG-TS sending loop shared by the outputs that
// carry MPEG-TS in datagrams: RTP payload type 33 (RFC 2250, outputs/rtp's
// mpegts mode) and SRT live mode (outputs/srt). libavformat's mpegts muxer
// (media/mux) writes into a Packer, which groups whole 188-byte TS packets
// into datagrams (7 per datagram, 1316 bytes, when they fit) and sends
// each one as soon as it is full or the access unit ends.
package tssend

import (
	"context"
	"fmt"

	"golive/media/mux"
	"golive/media/unit"
	"golive/outputs/dest"
)

// PacketSize is the size of one MPEG-TS packet (ISO/IEC 13818-1).
const PacketSize = 188

// options make an MPEG-TS a receiver can join at any time: PAT/PMT ten
// times a second and again at each key frame, PCR every 20 ms, and every
// packet flushed at once (no extra latency in the I/O buffer). H.264 and
// HEVC (stream types 0x1b and 0x24) key frames carry their parameter sets
// in band. The interleaver waits at most 300 ms
// for a late track, so a stalled audio encoder cannot hold video back.
var options = map[string]string{
	"pat_period":           "0.1",
	"pcr_period":           "20",
	"mpegts_flags":         "+resend_headers",
	"flush_packets":        "1",
	"max_interleave_delta": "300000",
}

// Packer is the muxer's io.Writer: it fills Buffer with TS bytes and calls
// Send with the number of bytes (whole TS packets) to send from it.
type Packer struct {
	// Buffer returns the datagram buffer; its length (a multiple of
	// PacketSize) is the datagram size.
	Buffer func() []byte
	// Send sends the first n bytes of the buffer.
	Send func(n int) error

	pending int
	err     error
}

// Write takes TS bytes from the muxer and sends every full datagram.
func (z *Packer) Write(b []byte) (int, error) {
	if z.err != nil {
		return 0, z.err
	}
	n := len(b)
	for len(b) > 0 {
		buf := z.Buffer()
		c := copy(buf[z.pending:], b)
		z.pending += c
		b = b[c:]
		if z.pending == len(buf) {
			if err := z.Flush(); err != nil {
				return n - len(b), err
			}
		}
	}
	return n, nil
}

// Flush sends the whole TS packets that are pending (the muxer flushes
// after each access unit, so nothing waits for the next frame).
func (z *Packer) Flush() error {
	if z.err != nil {
		return z.err
	}
	whole := z.pending / PacketSize * PacketSize
	if whole == 0 {
		return nil
	}
	if err := z.Send(whole); err != nil {
		z.err = err
		return err
	}
	buf := z.Buffer()
	z.pending = copy(buf, buf[whole:z.pending])
	return nil
}

// Err is the first send error, if any.
func (z *Packer) Err() error { return z.err }

// Sender muxes a destination's video, H.264 or HEVC (and AAC, when the
// stream has it), into MPEG-TS and sends it through Packer, one access
// unit at a time.
type Sender struct {
	// Proto names the output in errors ("rtp", "srt").
	Proto string
	// Packer receives the TS bytes; its buffer length is the muxer's
	// I/O packet size.
	Packer *Packer
	// Before, when set, is called with each packet before it is muxed
	// (RTP stamps its header's timestamp there).
	Before func(p *unit.Packet)

	m *mux.Muxer
}

// Open sets up the muxer on the session's tracks. It reports whether an
// AAC track is muxed (false: video only). A muxer error is fatal.
func (x *Sender) Open(s *dest.Session) (audio bool, err error) {
	x.m = &mux.Muxer{Format: "mpegts", Writer: x.Packer, PacketSize: len(x.Packer.Buffer()),
		Tracks: s.Tracks, Options: options}
	if s.Tracks.AudioFor(unit.CodecAAC) != nil {
		x.m.AudioCodec = unit.CodecAAC
	}
	if err := x.m.Initialize(); err != nil {
		return false, dest.Fatal(fmt.Errorf("%s mpegts muxer: %w", x.Proto, err))
	}
	return x.m.AudioCodec != 0, nil
}

// Pump reads the session's packets, muxes and sends them until ctx ends,
// the stream closes or a send fails. Each video access unit sent counts
// as a frame.
func (x *Sender) Pump(ctx context.Context, s *dest.Session) error {
	for {
		p, err := s.Reader.Read(ctx)
		if err != nil {
			return err
		}
		video := x.m.Tracks.Video != nil && p.Codec == x.m.Tracks.Video.Codec
		if !video && p.Codec != x.m.AudioCodec {
			continue
		}
		if x.Before != nil {
			x.Before(p)
		}
		if err := x.m.WritePacket(p); err != nil {
			if x.Packer.err != nil {
				return x.Packer.err
			}
			return fmt.Errorf("%s mpegts: %w", x.Proto, err)
		}
		if err := x.Packer.Flush(); err != nil {
			return err
		}
		if video {
			s.Counters.FramesSent.Add(1)
		}
	}
}

// Close writes what the muxer still holds and sends it.
func (x *Sender) Close() error {
	err := x.m.Close()
	if ferr := x.Packer.Flush(); err == nil {
		err = ferr
	}
	return err
}
