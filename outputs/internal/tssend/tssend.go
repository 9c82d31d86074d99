// Package tssend is the MPEG-TS sending loop shared by the outputs that
// carry MPEG-TS in datagrams: RTP payload type 33 (RFC 2250, outputs/rtp's
// mpegts mode) and SRT live mode (outputs/srt). libavformat's mpegts muxer
// (media/mux) writes into a Packer, which groups whole 188-byte TS packets
// into datagrams (7 per datagram, 1316 bytes, when they fit) and sends
// each one as soon as it is full or the access unit ends.
//
// A Sender with a LeadIn sends the tables the stream starts with (PAT,
// PMT, SDT) as a datagram of their own and waits LeadIn before the first
// PES. A receiver that spends the stream's first datagram on finding out
// what it carries loses only that: ffmpeg's rtp:// reader without an SDP
// (libavformat rtsp.c, rtp_read_header) reads one datagram to learn the
// payload type, closes its socket and binds a new one, and every datagram
// sent in between, the rest of the first key frame, is gone; the whole
// first GOP is then undecodable ("non-existing PPS"). ffmpeg's own
// rtp_mpegts sender loses it the same way.
package tssend

import (
	"context"
	"fmt"
	"time"

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
	// beforeMedia, when set, runs once at the first TS packet that starts
	// a PES, after the packets before it (the tables) were sent.
	beforeMedia func() error
	media       bool
}

// Write takes TS bytes from the muxer and sends every full datagram.
func (z *Packer) Write(b []byte) (int, error) {
	if z.err != nil {
		return 0, z.err
	}
	n := len(b)
	if z.beforeMedia != nil && !z.media {
		if err := z.writeTables(&b); err != nil {
			z.err = err
			return n - len(b), err
		}
	}
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

// writeTables takes TS packets from b, one at a time, until the first one
// that starts a PES: there it sends the packets pending (the tables) as
// their own datagram and runs beforeMedia.
func (z *Packer) writeTables(b *[]byte) error {
	for len(*b) > 0 {
		buf := z.Buffer()
		if z.pending%PacketSize == 0 && startsPES(*b) {
			z.media = true
			if z.pending == 0 {
				return nil
			}
			if err := z.Flush(); err != nil {
				return err
			}
			return z.beforeMedia()
		}
		end := min(len(buf), z.pending-z.pending%PacketSize+PacketSize)
		c := copy(buf[z.pending:end], *b)
		z.pending += c
		*b = (*b)[c:]
		if z.pending == len(buf) {
			if err := z.Flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// startsPES reports whether the TS packet at the start of p begins a PES
// packet (ISO/IEC 13818-1 2.4.3.2: payload_unit_start_indicator set and a
// payload starting with the packet_start_code_prefix 00 00 01).
func startsPES(p []byte) bool {
	if len(p) < 4 || p[0] != 0x47 || p[1]&0x40 == 0 || p[3]&0x10 == 0 {
		return false
	}
	off := 4
	if p[3]&0x20 != 0 { // adaptation field first
		if len(p) < 5 {
			return false
		}
		off += 1 + int(p[4])
	}
	return off+3 <= min(len(p), PacketSize) && p[off] == 0 && p[off+1] == 0 && p[off+2] == 1
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
	// LeadIn, when > 0, is how long the tables that start the stream,
	// sent alone, precede its first PES (see the package doc).
	LeadIn time.Duration

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
	if x.LeadIn > 0 {
		x.Packer.beforeMedia = func() error {
			t := time.NewTimer(x.LeadIn)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
				return nil
			}
		}
	}
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
