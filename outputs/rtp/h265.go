package rtp

import "encoding/binary"

// RFC 7798 (https://www.rfc-editor.org/rfc/rfc7798) carries HEVC in RTP.
// Every NAL unit starts with a 2-byte header (F, Type, LayerId, TID;
// section 1.1.4). Without DONL (sprop-max-don-diff is 0, section 7.1) the
// payload structures are (section 4.4): a single NAL unit packet is the NAL
// unit as is; an aggregation packet (AP, type 48) starts with a PayloadHdr
// and holds several NAL units, each preceded by a 16-bit size; a
// fragmentation unit (FU, type 49) is a PayloadHdr, an FU header (S, E,
// FuType) and a piece of one NAL unit without its header.
const (
	hevcTypeVPS    = 32
	hevcTypeSPS    = 33
	hevcTypePPS    = 34
	hevcTypeAUD    = 35
	hevcTypeFiller = 38
	hevcTypeAP     = 48
	hevcTypeFU     = 49
	hevcHeaderSize = 2
	hevcFUHeader   = 3 // PayloadHdr + FU header
)

// h265Packetizer splits HEVC access units into RTP payloads per RFC 7798
// in its single-session, non-interleaved form (no DONL): small neighbouring
// NAL units share an AP (so VPS, SPS and PPS travel together right before
// an IRAP picture), NAL units larger than the payload are fragmented as FUs.
// The marker bit is set on the last packet of the access unit (section
// 4.1). It allocates nothing.
//
// pion/rtp's H265Payloader is not used: it allocates every payload, drops
// a NAL unit it cannot fragment without a word, and holds parameter sets
// back to put them in front of the next picture.
type h265Packetizer struct {
	// params holds the track's parameter sets while they are sent (a
	// field, so that slicing it does not allocate).
	params [3][]byte
}

// hevcType returns the nal_unit_type of an HEVC NAL unit (-1 for one
// shorter than its header).
func hevcType(n []byte) int {
	if len(n) < hevcHeaderSize {
		return -1
	}
	return int(n[0]>>1) & 0x3f
}

// skip implements nalFormat. Left out are: NAL units of their header alone
// or less (end of sequence or bitstream: a live receiver does not need them,
// and ffmpeg refuses RTP payloads that short), access unit delimiters,
// filler data, and the types 48-63 (unspecified in H.265, where RFC 7798
// puts its AP, FU and PACI: sent as is they would be read as those).
func (z *h265Packetizer) skip(n []byte) bool {
	t := hevcType(n)
	return len(n) <= hevcHeaderSize || t == hevcTypeAUD || t == hevcTypeFiller || t >= hevcTypeAP
}

// aggregateHeader implements nalFormat: an AP starts with a 2-byte
// PayloadHdr.
func (z *h265Packetizer) aggregateHeader() int { return hevcHeaderSize }

// packetize sends one access unit. For a key frame whose NAL units lack
// the VPS, SPS or PPS, the track's vps, sps and pps are sent first (in an
// AP when they fit), so that every IRAP picture can be decoded by a
// receiver that joins mid-stream.
func (z *h265Packetizer) packetize(sink payloadSink, nalus [][]byte, key bool, vps, sps, pps []byte) error {
	if len(sink.payloadBuffer()) < hevcFUHeader+1 {
		return errPayloadTooSmall
	}
	if key && !hasHEVCParameterSets(nalus) {
		z.params = [3][]byte{vps, sps, pps}
		err := packetizeNALUs(sink, z, z.params[:], false)
		z.params = [3][]byte{}
		if err != nil {
			return err
		}
	}
	return packetizeNALUs(sink, z, nalus, true)
}

// hasHEVCParameterSets reports whether a VPS, an SPS and a PPS are all in
// band.
func hasHEVCParameterSets(nalus [][]byte) bool {
	var vps, sps, pps bool
	for _, n := range nalus {
		switch hevcType(n) {
		case hevcTypeVPS:
			vps = true
		case hevcTypeSPS:
			sps = true
		case hevcTypePPS:
			pps = true
		}
	}
	return vps && sps && pps
}

// sendOne implements nalFormat: a single NAL unit packet, or FUs when the
// NAL unit is larger than the payload (section 4.4.3: then at least two,
// as one FU must not carry a whole NAL unit).
func (z *h265Packetizer) sendOne(sink payloadSink, n []byte, last bool) error {
	buf := sink.payloadBuffer()
	if len(n) <= len(buf) {
		return sink.sendPayload(copy(buf, n), last)
	}
	// PayloadHdr: the NAL unit's F, LayerId and TID with Type 49.
	hdr0 := n[0]&0x81 | hevcTypeFU<<1
	hdr1 := n[1]
	fuType := byte(hevcType(n))
	data := n[hevcHeaderSize:]
	first := true
	for len(data) > 0 {
		buf = sink.payloadBuffer()
		chunk := min(len(data), len(buf)-hevcFUHeader)
		buf[0], buf[1], buf[2] = hdr0, hdr1, fuType
		if first {
			buf[2] |= fuStart
			first = false
		}
		end := chunk == len(data)
		if end {
			buf[2] |= fuEnd
		}
		copy(buf[hevcFUHeader:], data[:chunk])
		data = data[chunk:]
		if err := sink.sendPayload(hevcFUHeader+chunk, last && end); err != nil {
			return err
		}
	}
	return nil
}

// sendGroup implements nalFormat: the sent NAL units among nalus[from:to]
// in one AP (section 4.4.2), whose PayloadHdr has F set if any unit's F is,
// and the lowest LayerId and TID among them; the caller checked that they
// fit.
func (z *h265Packetizer) sendGroup(sink payloadSink, nalus [][]byte, from, to int, last bool) error {
	buf := sink.payloadBuffer()
	var f byte
	layer, tid := byte(0x3f), byte(7)
	pos := hevcHeaderSize
	for k := from; k < to; k++ {
		n := nalus[k]
		if z.skip(n) {
			continue
		}
		f |= n[0] & 0x80
		layer = min(layer, n[0]&1<<5|n[1]>>3)
		tid = min(tid, n[1]&7)
		binary.BigEndian.PutUint16(buf[pos:], uint16(len(n)))
		pos += 2 + copy(buf[pos+2:], n)
	}
	buf[0] = f | hevcTypeAP<<1 | layer>>5
	buf[1] = layer<<3 | tid
	return sink.sendPayload(pos, last)
}
