package rtp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"testing"

	"golive/media/unit"
)

// Bounds of the generated access units.
const (
	propMaxNALUs   = 32
	propMaxNALU    = 20000
	propMaxPayload = MaxMTU - rtpHeaderSize
)

// layoutNALUs builds an access unit from a layout: every 4 bytes are one
// NAL unit's type, LayerId, TID and a size code (small, around the payload
// size, or large), so that a fuzzer reaches every packet structure. The
// access unit is bounded to about 1000 payloads (and 256 KB), so that every
// input checks quickly.
func layoutNALUs(layout []byte, room int) [][]byte {
	var nalus [][]byte
	total, limit := 0, min(256<<10, room*1000)
	for len(layout) >= 4 && len(nalus) < propMaxNALUs && total < limit {
		typ, layer, tid, code := layout[0]%64, layout[1]%64, 1+layout[2]%7, layout[3]
		layout = layout[4:]
		var size int
		switch code % 4 {
		case 0:
			size = int(code) / 4 // 0-63 bytes
		case 1:
			size = room + int(code)/4 - 32 // around the payload size
		case 2:
			size = room*int(code/4%8) + int(code)%5 - 2 // around a multiple
		default:
			size = int(code) * 78 // up to ~20 KB
		}
		size = max(0, min(size, propMaxNALU, limit-total))
		total += size
		n := make([]byte, size)
		for i := range n {
			n[i] = byte(i*31 + int(code))
		}
		if size >= 2 {
			n[0], n[1] = typ<<1|layer>>5, layer<<3|tid
		}
		nalus = append(nalus, n)
	}
	return nalus
}

// checkH265Property packetizes nalus into payloads of at most room bytes
// and checks the RFC 7798 rules (checkH265Payloads), that pion's
// depacketizer gets back exactly the NAL units sent (the track's
// parameter sets first on a key frame without them), that every AP
// header has the lowest LayerId and TID of its units, and that a payload
// size too small for an FU is refused.
func checkH265Property(t testing.TB, room int, key bool, nalus [][]byte) {
	t.Helper()
	var z h265Packetizer
	sink := newCaptureSink(room)
	err := z.packetize(sink, nalus, key, testVPS, testHEVCSPS, testHEVCPPS)
	if room < hevcFUHeader+1 {
		if !errors.Is(err, errPayloadTooSmall) || len(sink.payloads) != 0 {
			t.Fatalf("payload size %d: err %v, %d payloads", room, err, len(sink.payloads))
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	var want, sent [][]byte
	if key && !hasHEVCParameterSets(nalus) {
		want = append(want, testVPS, testHEVCSPS, testHEVCPPS)
	}
	for _, n := range nalus {
		if !z.skip(n) {
			want, sent = append(want, n), append(sent, n)
		}
	}
	if len(want) == 0 {
		if len(sink.payloads) != 0 {
			t.Fatalf("%d payloads for nothing to send", len(sink.payloads))
		}
		return
	}
	if len(sent) == 0 {
		// Only the parameter sets: no packet ends the access unit.
		sink.markers[len(sink.markers)-1] = true
	}
	checkH265Payloads(t, sink, room)
	checkAPHeaders(t, sink.payloads)
	if got := depacketizeH265(t, sink.payloads); !bytes.Equal(got, unit.JoinAnnexB(nil, want)) {
		t.Fatalf("payload size %d, %d NAL units: reassembled %d bytes, want %d", room, len(want), len(got),
			len(unit.JoinAnnexB(nil, want)))
	}
}

// checkAPHeaders checks that each AP's PayloadHdr carries the lowest
// LayerId and TID of its aggregation units (RFC 7798 section 4.4.2).
func checkAPHeaders(t testing.TB, payloads [][]byte) {
	t.Helper()
	for i, p := range payloads {
		if hevcType(p) != hevcTypeAP {
			continue
		}
		layer, tid := byte(63), byte(7)
		for rest := p[2:]; len(rest) >= 2; {
			size := int(binary.BigEndian.Uint16(rest))
			if size < 2 || 2+size > len(rest) {
				t.Fatalf("payload %d: AP unit of %d bytes in %d", i, size, len(rest))
			}
			n := rest[2 : 2+size]
			layer, tid = min(layer, n[0]&1<<5|n[1]>>3), min(tid, n[1]&7)
			rest = rest[2+size:]
		}
		if got := p[0]&1<<5 | p[1]>>3; got != layer || p[1]&7 != tid {
			t.Errorf("payload %d: AP LayerId %d TID %d, want %d %d", i, got, p[1]&7, layer, tid)
		}
	}
}

// TestH265PacketizeProperty runs 1000 random access units (up to 32 NAL
// units of 0-20000 bytes, sizes clustered around the payload size and its
// multiples) through payload sizes of 1 to 8988 bytes (MTU 13-9000).
func TestH265PacketizeProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(18, 7798))
	for i := range 1000 {
		room := 1 + r.IntN(propMaxPayload)
		if i%3 == 0 {
			room = 1 + r.IntN(300) // small MTUs see the most fragments
		}
		layout := make([]byte, 4*r.IntN(propMaxNALUs+1))
		for j := range layout {
			layout[j] = byte(r.Uint32())
		}
		checkH265Property(t, room, r.IntN(2) == 0, layoutNALUs(layout, room))
	}
}

// FuzzH265Packetize: any access unit layout at any payload size keeps the
// RFC 7798 rules and the MTU, and reassembles exactly.
func FuzzH265Packetize(f *testing.F) {
	f.Fuzz(func(t *testing.T, room uint16, key bool, layout []byte) {
		r := int(room)%propMaxPayload + 1
		checkH265Property(t, r, key, layoutNALUs(layout, r))
	})
}
