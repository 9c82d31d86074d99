package mux

import (
	"errors"
	"fmt"
	"time"

	"github.com/asticode/go-astiav"

	"golive/media/unit"
)

// WritePacket converts p to the container's form and hands it to
// libavformat's interleaver.
//
// Timestamps are made relative to the first packet written, so the file
// starts at zero whatever the stream's age. With a video track the output
// starts at a video key frame: earlier video, and audio older than that
// key frame, is skipped. Packets of codecs that are not muxed are ignored.
func (m *Muxer) WritePacket(p *unit.Packet) error {
	if m.pkt == nil {
		return errors.New("muxer is not initialized")
	}
	t := m.trackFor(p)
	if t == nil {
		return nil
	}
	if !m.started {
		if m.video != nil && (t != m.video || !p.Key) {
			return nil
		}
		m.started = true
		m.base = p.DTS
	}
	if p.DTS < m.base {
		return nil
	}
	if err := m.pkt.FromData(m.payload(t, p)); err != nil {
		return fmt.Errorf("copy packet: %w", err)
	}
	m.stamp(t, p)
	err := m.fc.WriteInterleavedFrame(m.pkt)
	m.pkt.Unref()
	if err == nil && m.out.err != nil {
		err = m.out.err
	}
	if err != nil {
		m.failed = m.out.err != nil
		return m.wrapIOErr("write %s packet: %w", p.Codec.String(), err)
	}
	return nil
}

func (m *Muxer) trackFor(p *unit.Packet) *track {
	switch {
	case p.Codec == unit.CodecH264:
		return m.video
	case (p.Codec == unit.CodecHEVC || p.Codec == unit.CodecAV1) && m.Tracks.Video != nil && p.Codec == m.Tracks.Video.Codec:
		return m.video
	case m.AudioCodec != 0 && p.Codec == m.AudioCodec:
		return m.audio
	}
	return nil
}

func (m *Muxer) payload(t *track, p *unit.Packet) []byte {
	if t != m.video || !m.avcc || p.Codec != unit.CodecH264 {
		return p.Data // HEVC and AV1: libavformat converts (newvideo.go)
	}
	nalus := p.NALUs
	if nalus == nil {
		nalus = unit.SplitAnnexB(nil, p.Data)
	}
	m.buf = AppendAVCC(m.buf[:0], nalus)
	return m.buf
}

// stamp sets the packet's stream, flags and timestamps in the stream's
// time base, keeping DTS strictly increasing as libavformat requires.
func (m *Muxer) stamp(t *track, p *unit.Packet) {
	dts := toTicks(p.DTS-m.base, t.tb)
	pts := toTicks(p.PTS-m.base, t.tb)
	if t.written && dts <= t.lastDTS {
		dts = t.lastDTS + 1
	}
	if pts < dts {
		pts = dts
	}
	t.lastDTS, t.written = dts, true
	m.pkt.SetStreamIndex(t.index)
	m.pkt.SetDts(dts)
	m.pkt.SetPts(pts)
	m.pkt.SetDuration(toTicks(p.Duration, t.tb))
	m.pkt.SetPos(-1)
	if p.Key {
		m.pkt.SetFlags(astiav.NewPacketFlags(astiav.PacketFlagKey))
	} else {
		m.pkt.SetFlags(astiav.NewPacketFlags())
	}
}

// toTicks converts d to units of tb, rounding to the nearest tick, without
// overflowing for any realistic duration.
func toTicks(d time.Duration, tb astiav.Rational) int64 {
	num, den := int64(tb.Num()), int64(tb.Den())
	if num <= 0 || den <= 0 {
		return int64(d / time.Millisecond)
	}
	sec := int64(d / time.Second)
	rem := int64(d % time.Second)
	// d seconds = sec + rem/1e9; ticks = seconds * den / num.
	whole := sec * den / num
	frac := (sec*den%num)*int64(time.Second) + rem*den
	div := num * int64(time.Second)
	if frac >= 0 {
		return whole + (frac+div/2)/div
	}
	return whole - (-frac+div/2)/div
}

// Close writes the container trailer, frees libavformat's state and closes
// the output file. It returns the errors met, except an output error that
// WritePacket already returned (the trailer is not attempted then).
func (m *Muxer) Close() error {
	var errs []error
	if m.header && m.fc != nil && !m.failed {
		if err := m.fc.WriteTrailer(); err != nil {
			errs = append(errs, m.wrapIOErr("write %s trailer: %w", m.Format, err))
		} else if m.out.err != nil {
			errs = append(errs, fmt.Errorf("write %s trailer: %w", m.Format, m.out.err))
		}
	}
	errs = append(errs, m.free())
	return errors.Join(errs...)
}

// free releases everything Initialize allocated; safe to call twice.
func (m *Muxer) free() error {
	m.header = false
	if m.pkt != nil {
		m.pkt.Free()
		m.pkt = nil
	}
	if m.ioc != nil {
		m.ioc.Free()
		m.ioc = nil
	}
	if m.fc != nil {
		m.fc.Free()
		m.fc = nil
	}
	if m.out != nil {
		return m.out.close()
	}
	return nil
}
