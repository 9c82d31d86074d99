package rtmp

import (
	"bytes"
	"testing"

	"github.com/yutopp/go-flv/tag"

	"golive/media/unit"
)

// TestMuxerSendsNewParameterSets: a key frame whose SPS/PPS differ from
// the last sequence header's (the destination moved to another encoder)
// is preceded by a new AVC sequence header; one with the same sets, or a
// delta frame, is not.
func TestMuxerSendsNewParameterSets(t *testing.T) {
	sps1, pps1 := x264ParameterSets(t)
	sps2, pps2 := x264ParameterSetsAt(t, "854x480")
	frame := func(key bool, sps, pps []byte) *unit.Packet {
		p := &unit.Packet{Codec: unit.CodecH264, Key: key}
		slice := []byte{0x65, 0x88, 0x84}
		if !key {
			slice = []byte{0x41, 0x9a}
		}
		if key {
			p.NALUs = [][]byte{sps, pps, slice}
		} else {
			p.NALUs = [][]byte{slice}
		}
		for _, n := range p.NALUs {
			p.Data = append(append(p.Data, 0, 0, 0, 1), n...)
		}
		return p
	}
	m := &muxer{p: &Publisher{}}
	for i, step := range []struct {
		pkt     *unit.Packet
		headers int
	}{
		{frame(false, nil, nil), -1}, // before the first key frame: left out
		{frame(true, sps1, pps1), 1},
		{frame(false, nil, nil), 0},
		{frame(true, sps1, pps1), 0},
		{frame(true, sps2, pps2), 1},
		{frame(false, nil, nil), 0},
		{frame(true, sps1, pps1), 1},
	} {
		m.msgs, m.ends, m.buf = m.msgs[:0], m.ends[:0], m.buf[:0]
		if err := m.add(step.pkt); err != nil {
			t.Fatal(err)
		}
		headers, start := 0, 0
		for _, end := range m.ends {
			var vd tag.VideoData
			if err := tag.DecodeVideoData(bytes.NewReader(m.buf[start:end]), &vd); err != nil {
				t.Fatal(err)
			}
			if vd.AVCPacketType == tag.AVCPacketTypeSequenceHeader {
				headers++
			}
			start = end
		}
		if step.headers < 0 {
			if len(m.msgs) != 0 {
				t.Errorf("step %d: %d messages before the first key frame", i, len(m.msgs))
			}
			continue
		}
		if headers != step.headers || len(m.msgs) != step.headers+1 {
			t.Errorf("step %d: %d messages, %d sequence headers; want %d headers and the frame", i, len(m.msgs), headers, step.headers)
		}
	}
}
