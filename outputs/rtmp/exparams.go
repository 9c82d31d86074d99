package rtmp

import (
	"bytes"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/av1"

	"golive/media/unit"
	"golive/outputs/dest"
)

// A destination that moves to another encoder of the same codec (a
// fallback rendition, stream.Reader.MoveTo) gets that encoder's frames
// from a key frame on. For HEVC and AV1 that key frame's parameter sets
// (VPS/SPS/PPS, the AV1 sequence header; the engine puts them in band in
// every key frame) differ from those of the sequence start sent at
// publish: the muxer sends an Enhanced RTMP PacketTypeSequenceStart with
// the new HEVCDecoderConfigurationRecord or AV1CodecConfigurationRecord
// before that key frame (Enhanced RTMP v1, "Extended VideoTagHeader":
// a new sequence start replaces the decoder configuration), as it sends a
// new AVC sequence header for H.264. It does so only after the reader
// moved: an encoder's in-band sets may differ from its global header in
// bits that change nothing (libsvtav1's sequence header does), and a
// second sequence start on a stream that did not move confuses a server
// for nothing (MediaMTX then recorded AV1 640x360 as 1920x804).

// HEVC NAL unit types (ITU-T H.265, table 7-1) and the AV1 sequence
// header OBU type (AV1 specification 6.2.2).
const (
	hevcVPS              = 32
	hevcSPS              = 33
	hevcPPS              = 34
	obuSequenceHeaderOBU = 1
)

// hevcParamSets returns the first VPS, SPS and PPS of an HEVC access unit
// (nil for one it lacks).
func hevcParamSets(nalus [][]byte) (vps, sps, pps []byte) {
	for _, n := range nalus {
		if len(n) == 0 {
			continue
		}
		switch (n[0] >> 1) & 0x3f {
		case hevcVPS:
			vps = first(vps, n)
		case hevcSPS:
			sps = first(sps, n)
		case hevcPPS:
			pps = first(pps, n)
		}
	}
	return vps, sps, pps
}

func first(have, n []byte) []byte {
	if have != nil {
		return have
	}
	return n
}

// av1SequenceHeaderOBU returns the sequence header OBU of an AV1 temporal
// unit in the low-overhead format (header, size field, payload), nil when
// it has none. Every OBU must carry its size field; a size past the end
// of tu ends the search.
func av1SequenceHeaderOBU(tu []byte) []byte {
	for len(tu) > 0 {
		var h av1.OBUHeader
		if err := h.Unmarshal(tu); err != nil || !h.HasSize {
			return nil
		}
		hdr := 1
		if tu[0]&0x04 != 0 { // obu_extension_flag
			hdr = 2
		}
		if len(tu) <= hdr {
			return nil
		}
		var size av1.LEB128
		n, err := size.Unmarshal(tu[hdr:])
		if err != nil || uint64(size) > uint64(len(tu)-hdr-n) {
			return nil
		}
		end := hdr + n + int(size)
		if h.Type == obuSequenceHeaderOBU {
			return tu[:end]
		}
		tu = tu[end:]
	}
	return nil
}

// exParams returns the in-band parameter sets of an HEVC or AV1 key frame
// as the VideoParams a sequence start is built from; ok is false when the
// frame lacks them.
func exParams(p *unit.Packet) (v unit.VideoParams, ok bool) {
	v.Codec = p.Codec
	switch p.Codec {
	case unit.CodecHEVC:
		v.VPS, v.SPS, v.PPS = hevcParamSets(p.NALUs)
		return v, v.VPS != nil && v.SPS != nil && v.PPS != nil
	case unit.CodecAV1:
		v.SequenceHeader = av1SequenceHeaderOBU(p.Data)
		return v, v.SequenceHeader != nil
	}
	return v, false
}

// sameExParams reports whether v's parameter sets are those of the last
// sequence start sent.
func (m *muxer) sameExParams(v *unit.VideoParams) bool {
	if v.Codec == unit.CodecAV1 {
		return bytes.Equal(v.SequenceHeader, m.sps)
	}
	return bytes.Equal(v.VPS, m.vps) && bytes.Equal(v.SPS, m.sps) && bytes.Equal(v.PPS, m.pps)
}

// rememberExParams keeps copies of the parameter sets a sequence start
// was sent with (AV1's sequence header in sps).
func (m *muxer) rememberExParams(v *unit.VideoParams) {
	if v.Codec == unit.CodecAV1 {
		m.vps, m.sps, m.pps = m.vps[:0], append(m.sps[:0], v.SequenceHeader...), m.pps[:0]
		return
	}
	m.vps, m.sps, m.pps = append(m.vps[:0], v.VPS...), append(m.sps[:0], v.SPS...), append(m.pps[:0], v.PPS...)
}

// addExSequenceStart puts the sequence start of v into the batch and
// remembers its parameter sets.
func (m *muxer) addExSequenceStart(ts uint32, v *unit.VideoParams) error {
	hdr, err := exSequenceStartBody(v)
	if err != nil {
		return dest.Fatal(err)
	}
	m.sentAVC = true
	m.rememberExParams(v)
	m.addMessage(csVideo, typeVideo, ts, hdr, time.Time{})
	return nil
}

// newExSequenceStart sends a new sequence start before HEVC or AV1 key
// frame pkt when the reader moved since the last one and the frame's
// in-band parameter sets differ from the last sent (a key frame of the
// old stream still held by the merge has the same ones: the next one is
// checked then).
func (m *muxer) newExSequenceStart(ts uint32, pkt *unit.Packet) error {
	moves := m.readerMoves()
	if moves == m.moves {
		return nil
	}
	v, ok := exParams(pkt)
	if !ok || m.sameExParams(&v) {
		return nil
	}
	m.moves = moves
	return m.addExSequenceStart(ts, &v)
}

// readerMoves counts the moves of the muxer's reader (0 without one).
func (m *muxer) readerMoves() uint64 {
	if m.movesOf != nil {
		return m.movesOf()
	}
	if m.s == nil || m.s.Reader == nil {
		return 0
	}
	_, n := m.s.Reader.Moving()
	return n
}
