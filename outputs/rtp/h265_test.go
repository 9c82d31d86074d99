package rtp

import (
	"bytes"
	"testing"

	"github.com/pion/rtp/codecs"

	"golive/media/unit"
)

// hevcNALU is a fake HEVC NAL unit of the given type and size (header
// included): LayerId 0, TID 1.
func hevcNALU(typ byte, size int) []byte {
	n := make([]byte, max(size, 2))
	n[0], n[1] = typ<<1, 1
	for i := 2; i < len(n); i++ {
		n[i] = byte(i*13 + int(typ))
	}
	return n
}

// Parameter sets of a libx265 640x360 Main stream, level 2.1 (VPS, SPS,
// PPS), with emulation prevention bytes in the profile_tier_level.
var (
	testVPS = []byte{0x40, 0x01, 0x0c, 0x01, 0xff, 0xff, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00,
		0x03, 0x00, 0x00, 0x03, 0x00, 0x3f, 0x95, 0x98, 0x09}
	testHEVCSPS = []byte{0x42, 0x01, 0x01, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00, 0x03, 0x00,
		0x00, 0x03, 0x00, 0x3f, 0xa0, 0x05, 0x02, 0x01, 0x69, 0x65, 0x95, 0x9a, 0x49, 0x32, 0xbc, 0x05, 0xa0,
		0x20, 0x00, 0x00, 0x03, 0x00, 0x20, 0x00, 0x00, 0x03, 0x03, 0xc1}
	testHEVCPPS = []byte{0x44, 0x01, 0xc1, 0x72, 0xb4, 0x62, 0x40}
)

// depacketizeH265 reassembles what a receiver decodes, in Annex B form,
// with pion's RFC 7798 depacketizer (an independent implementation).
func depacketizeH265(t testing.TB, payloads [][]byte) []byte {
	t.Helper()
	return depacketizeWith(t, &codecs.H265Depacketizer{}, payloads)
}

func TestH265Packetize(t *testing.T) {
	aud := []byte{0x46, 0x01, 0x50}
	bigIDR := hevcNALU(19, 5000)
	cases := []struct {
		name       string
		nalus      [][]byte
		key        bool
		want       [][]byte // NAL units the receiver must get
		firstType  int      // type in the first payload's header
		minPackets int
	}{
		{"key frame with in-band parameter sets", [][]byte{aud, testVPS, testHEVCSPS, testHEVCPPS, bigIDR}, true,
			[][]byte{testVPS, testHEVCSPS, testHEVCPPS, bigIDR}, hevcTypeAP, 6},
		{"key frame without parameter sets", [][]byte{bigIDR}, true,
			[][]byte{testVPS, testHEVCSPS, testHEVCPPS, bigIDR}, hevcTypeAP, 6},
		{"small slices aggregate", [][]byte{hevcNALU(1, 300), hevcNALU(1, 400)}, false,
			[][]byte{hevcNALU(1, 300), hevcNALU(1, 400)}, hevcTypeAP, 1},
		{"single nal unit", [][]byte{aud, hevcNALU(1, 1100)}, false,
			[][]byte{hevcNALU(1, 1100)}, 1, 1},
		{"slice exactly at payload size", [][]byte{hevcNALU(1, 1188)}, false,
			[][]byte{hevcNALU(1, 1188)}, 1, 1},
		{"one byte over: two fragments", [][]byte{hevcNALU(1, 1189)}, false,
			[][]byte{hevcNALU(1, 1189)}, hevcTypeFU, 2},
		{"fragment then single", [][]byte{hevcNALU(1, 3000), hevcNALU(1, 200)}, false,
			[][]byte{hevcNALU(1, 3000), hevcNALU(1, 200)}, hevcTypeFU, 4},
		{"filler and reserved types left out", [][]byte{hevcNALU(1, 500), hevcNALU(hevcTypeFiller, 50),
			hevcNALU(hevcTypeFU, 40), {0x02}}, false, [][]byte{hevcNALU(1, 500)}, 1, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sink := newCaptureSink(1188)
			var z h265Packetizer
			if err := z.packetize(sink, c.nalus, c.key, testVPS, testHEVCSPS, testHEVCPPS); err != nil {
				t.Fatal(err)
			}
			if len(sink.payloads) < c.minPackets {
				t.Fatalf("%d packets, want at least %d", len(sink.payloads), c.minPackets)
			}
			checkH265Payloads(t, sink, 1188)
			if got := hevcType(sink.payloads[0]); got != c.firstType {
				t.Errorf("first payload type %d, want %d", got, c.firstType)
			}
			got := depacketizeH265(t, sink.payloads)
			if want := unit.JoinAnnexB(nil, c.want); !bytes.Equal(got, want) {
				t.Errorf("reassembled %d bytes, want %d", len(got), len(want))
			}
		})
	}
}

// checkH265Payloads checks the RFC 7798 rules every packet of one access
// unit keeps: within size, the marker on the last packet only, an AP with
// at least two units, FU headers with S on the first fragment and E on
// the last, never both, and the PayloadHdr's F bit clear (no unit had it).
func checkH265Payloads(t testing.TB, sink *captureSink, size int) {
	t.Helper()
	inFU := false
	for i, p := range sink.payloads {
		if len(p) > size || len(p) <= hevcHeaderSize {
			t.Fatalf("payload %d is %d bytes, limit %d", i, len(p), size)
		}
		if sink.markers[i] != (i == len(sink.payloads)-1) {
			t.Errorf("payload %d of %d: marker=%v", i, len(sink.payloads), sink.markers[i])
		}
		if p[0]&0x80 != 0 || p[1]&7 == 0 {
			t.Errorf("payload %d: header %x: F set or TID 0", i, p[:2])
		}
		switch hevcType(p) {
		case hevcTypeFU:
			s, e := p[2]&fuStart != 0, p[2]&fuEnd != 0
			if s && e || s == inFU || len(p) < 4 {
				t.Fatalf("payload %d: FU header %08b after inFU=%v (%d bytes)", i, p[2], inFU, len(p))
			}
			inFU = !e
		case hevcTypeAP:
			if inFU {
				t.Fatalf("payload %d: AP inside a fragmented NAL unit", i)
			}
			n0 := int(p[2])<<8 | int(p[3])
			if 4+n0+2 >= len(p) {
				t.Errorf("payload %d: AP with a single unit", i)
			}
		default:
			if inFU {
				t.Fatalf("payload %d: single NAL unit inside a fragmented one", i)
			}
		}
	}
	if inFU {
		t.Error("the last fragmented NAL unit has no end")
	}
}

func TestH265PacketizeTinyMTU(t *testing.T) {
	var z h265Packetizer
	if err := z.packetize(&discardSink{buf: make([]byte, 3)}, [][]byte{hevcNALU(1, 10)}, false, nil, nil, nil); err == nil {
		t.Fatal("no error for a 3-byte payload size")
	}
	sink := newCaptureSink(4) // the smallest FU: 3 header bytes and 1 of data
	if err := z.packetize(sink, [][]byte{hevcNALU(1, 10)}, false, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	checkH265Payloads(t, sink, 4)
	if got := depacketizeH265(t, sink.payloads); !bytes.Equal(got, unit.JoinAnnexB(nil, [][]byte{hevcNALU(1, 10)})) {
		t.Errorf("reassembled %x", got)
	}
}

// hevcKeyFrame is a 720p-like IRAP access unit: AUD, VPS, SPS, PPS, SEI
// and 4 slices.
func hevcKeyFrame() [][]byte {
	return [][]byte{{0x46, 0x01, 0x50}, testVPS, testHEVCSPS, testHEVCPPS, hevcNALU(39, 700),
		hevcNALU(19, 30000), hevcNALU(19, 25000), hevcNALU(19, 28000), hevcNALU(19, 27000)}
}

func TestH265PacketizeAllocatesNothing(t *testing.T) {
	var z h265Packetizer
	sink := &discardSink{buf: make([]byte, 1188)}
	nalus := hevcKeyFrame()
	nonKey := [][]byte{hevcNALU(1, 9000)}
	keyNoParams := [][]byte{hevcNALU(19, 9000)}
	allocs := testing.AllocsPerRun(50, func() {
		_ = z.packetize(sink, nalus, true, testVPS, testHEVCSPS, testHEVCPPS)
		_ = z.packetize(sink, nonKey, false, testVPS, testHEVCSPS, testHEVCPPS)
		_ = z.packetize(sink, keyNoParams, true, testVPS, testHEVCSPS, testHEVCPPS)
	})
	if allocs != 0 {
		t.Errorf("packetizing allocates %.1f times per three frames, want 0", allocs)
	}
}

func TestHEVCProfileTierLevel(t *testing.T) {
	space, tier, profile, level, ok := hevcProfileTierLevel(testHEVCSPS)
	if !ok || space != 0 || tier != 0 || profile != 1 || level != 63 {
		t.Errorf("space %d tier %d profile %d level %d ok %v: want 0 0 1 63", space, tier, profile, level, ok)
	}
	if _, _, _, _, ok := hevcProfileTierLevel(testHEVCSPS[:10]); ok {
		t.Error("a truncated SPS was read")
	}
}

// BenchmarkPacketizeH265 measures the packetizer alone on a key frame.
func BenchmarkPacketizeH265(b *testing.B) {
	var z h265Packetizer
	sink := &discardSink{buf: make([]byte, 1188)}
	nalus := hevcKeyFrame()
	b.ReportAllocs()
	b.SetBytes(int64(len(unit.JoinAnnexB(nil, nalus))))
	for b.Loop() {
		_ = z.packetize(sink, nalus, true, testVPS, testHEVCSPS, testHEVCPPS)
	}
}
