package rtp

import (
	"encoding/binary"
	"errors"

	"golive/media/unit"
)

// RFC 6184 payload structures (section 5.2): single NAL unit packets carry
// their NAL unit as is; STAP-A (type 24) aggregates several NAL units of one
// access unit, each preceded by a 16-bit size; FU-A (type 28) fragments one
// NAL unit into packets that start with an FU indicator and an FU header.
const (
	naluTypeSTAPA  = 24
	naluTypeFUA    = 28
	naluTypeFiller = 12
	fuStart        = 0x80
	fuEnd          = 0x40
)

// payloadSink receives RTP payloads without copying them twice: the
// packetizer writes straight into the space payloadBuffer returns (it stays
// valid until the next sendPayload) and sendPayload sends its first n bytes
// as one RTP packet.
type payloadSink interface {
	payloadBuffer() []byte
	sendPayload(n int, marker bool) error
}

// h264Packetizer splits H.264 access units into RTP payloads per RFC 6184
// in packetization-mode 1 (non-interleaved): small neighbouring NAL units
// share a STAP-A (so SPS and PPS travel together right before an IDR), large
// ones are fragmented as FU-A. The marker bit is set on the last packet of
// the access unit (RFC 6184 section 5.1). It allocates nothing.
type h264Packetizer struct{}

// errPayloadTooSmall is returned when the MTU leaves no room for FU-A (or
// an HEVC FU).
var errPayloadTooSmall = errors.New("rtp payload size too small for a fragmentation unit")

// skip implements nalFormat: access unit delimiters and filler data carry
// nothing a receiver needs.
func (z *h264Packetizer) skip(n []byte) bool { return skipNALU(n) }

// aggregateHeader implements nalFormat: a STAP-A starts with one byte.
func (z *h264Packetizer) aggregateHeader() int { return 1 }

// skipNALU tells whether an H.264 NAL unit is left out.
func skipNALU(n []byte) bool {
	t := unit.NALUType(n)
	return len(n) == 0 || t == unit.NALUTypeAUD || t == naluTypeFiller
}

// packetize sends one access unit. For a key frame whose NAL units lack SPS
// or PPS, the track's sps and pps are sent first in a STAP-A, so that every
// IDR can be decoded by a receiver that joins mid-stream.
func (z *h264Packetizer) packetize(sink payloadSink, nalus [][]byte, key bool, sps, pps []byte) error {
	if len(sink.payloadBuffer()) < 3 {
		return errPayloadTooSmall
	}
	if key && len(sps) > 0 && len(pps) > 0 && !hasParameterSets(nalus) {
		if err := z.sendParameterSets(sink, sps, pps); err != nil {
			return err
		}
	}
	return packetizeNALUs(sink, z, nalus, true)
}

// sendParameterSets sends out-of-band SPS and PPS, together in a STAP-A
// when they fit.
func (z *h264Packetizer) sendParameterSets(sink payloadSink, sps, pps []byte) error {
	params := [2][]byte{sps, pps}
	if 5+len(sps)+len(pps) <= len(sink.payloadBuffer()) {
		return z.sendGroup(sink, params[:], 0, 2, false)
	}
	for _, n := range params {
		if err := z.sendOne(sink, n, false); err != nil {
			return err
		}
	}
	return nil
}

// hasParameterSets reports whether both an SPS and a PPS are in band.
func hasParameterSets(nalus [][]byte) bool {
	var sps, pps bool
	for _, n := range nalus {
		switch unit.NALUType(n) {
		case unit.NALUTypeSPS:
			sps = true
		case unit.NALUTypePPS:
			pps = true
		}
	}
	return sps && pps
}

// sendOne implements nalFormat: a single NAL unit packet or FU-A fragments.
func (z *h264Packetizer) sendOne(sink payloadSink, n []byte, last bool) error {
	buf := sink.payloadBuffer()
	if len(n) <= len(buf) {
		return sink.sendPayload(copy(buf, n), last)
	}
	indicator := n[0]&0xe0 | naluTypeFUA
	header := n[0] & 0x1f
	data := n[1:]
	first := true
	for len(data) > 0 {
		buf = sink.payloadBuffer()
		chunk := min(len(data), len(buf)-2)
		buf[0] = indicator
		buf[1] = header
		if first {
			buf[1] |= fuStart
			first = false
		}
		end := chunk == len(data)
		if end {
			buf[1] |= fuEnd
		}
		copy(buf[2:], data[:chunk])
		data = data[chunk:]
		if err := sink.sendPayload(2+chunk, last && end); err != nil {
			return err
		}
	}
	return nil
}

// sendGroup implements nalFormat: the sent NAL units among nalus[from:to]
// in one STAP-A; the caller checked that they fit.
func (z *h264Packetizer) sendGroup(sink payloadSink, nalus [][]byte, from, to int, last bool) error {
	buf := sink.payloadBuffer()
	var nri byte
	pos := 1
	for k := from; k < to; k++ {
		n := nalus[k]
		if skipNALU(n) {
			continue
		}
		nri = max(nri, n[0]&0x60)
		binary.BigEndian.PutUint16(buf[pos:], uint16(len(n)))
		pos += 2 + copy(buf[pos+2:], n)
	}
	buf[0] = nri | naluTypeSTAPA
	return sink.sendPayload(pos, last)
}
