package rtp

import (
	"bytes"
	"net"
	"testing"

	"github.com/pion/rtp/codecs"

	"golive/media/unit"
)

// captureSink records payloads as a receiver would see them.
type captureSink struct {
	buf      []byte
	payloads [][]byte
	markers  []bool
}

func newCaptureSink(size int) *captureSink { return &captureSink{buf: make([]byte, size)} }

func (c *captureSink) payloadBuffer() []byte { return c.buf }
func (c *captureSink) sendPayload(n int, marker bool) error {
	c.payloads = append(c.payloads, bytes.Clone(c.buf[:n]))
	c.markers = append(c.markers, marker)
	return nil
}

// discardSink only counts, for allocation checks.
type discardSink struct {
	buf   []byte
	count int
}

func (d *discardSink) payloadBuffer() []byte           { return d.buf }
func (d *discardSink) sendPayload(n int, _ bool) error { d.count += n; return nil }

func fakeNALU(typ byte, size int) []byte {
	n := make([]byte, size)
	n[0] = 0x60 | typ
	for i := 1; i < size; i++ {
		n[i] = byte(i*7 + int(typ))
	}
	return n
}

var (
	testSPS = []byte{0x67, 0x64, 0x00, 0x1f, 0xac, 0xd9, 0x40, 0x50, 0x05, 0xbb, 0x01}
	testPPS = []byte{0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0}
)

// depacketize reassembles what a receiver decodes, in Annex B form, with
// pion's RFC 6184 depacketizer (an independent implementation).
func depacketize(t testing.TB, payloads [][]byte) []byte {
	t.Helper()
	return depacketizeWith(t, &codecs.H264Packet{}, payloads)
}

// depacketizeWith feeds payloads to d and joins what it returns.
func depacketizeWith(t testing.TB, d interface{ Unmarshal([]byte) ([]byte, error) }, payloads [][]byte) []byte {
	t.Helper()
	var out []byte
	for _, p := range payloads {
		b, err := d.Unmarshal(p)
		if err != nil {
			t.Fatalf("depacketize %x: %v", p[:min(8, len(p))], err)
		}
		out = append(out, b...)
	}
	return out
}

func TestH264Packetize(t *testing.T) {
	aud := []byte{0x09, 0xf0}
	bigIDR := fakeNALU(5, 5000)
	cases := []struct {
		name       string
		nalus      [][]byte
		key        bool
		want       [][]byte // NAL units the receiver must get
		firstType  byte     // NAL type of the first payload
		minPackets int
	}{
		{"key frame with in-band sps/pps", [][]byte{aud, testSPS, testPPS, bigIDR}, true,
			[][]byte{testSPS, testPPS, bigIDR}, naluTypeSTAPA, 6},
		{"key frame without parameter sets", [][]byte{bigIDR}, true,
			[][]byte{testSPS, testPPS, bigIDR}, naluTypeSTAPA, 6},
		{"small slices aggregate", [][]byte{fakeNALU(1, 300), fakeNALU(1, 400)}, false,
			[][]byte{fakeNALU(1, 300), fakeNALU(1, 400)}, naluTypeSTAPA, 1},
		{"single nal unit", [][]byte{aud, fakeNALU(1, 1100)}, false,
			[][]byte{fakeNALU(1, 1100)}, 1, 1},
		{"slice exactly at payload size", [][]byte{fakeNALU(1, 1188)}, false,
			[][]byte{fakeNALU(1, 1188)}, 1, 1},
		{"fragment then single", [][]byte{fakeNALU(1, 3000), fakeNALU(1, 200)}, false,
			[][]byte{fakeNALU(1, 3000), fakeNALU(1, 200)}, naluTypeFUA, 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sink := newCaptureSink(1188)
			var z h264Packetizer
			if err := z.packetize(sink, c.nalus, c.key, testSPS, testPPS); err != nil {
				t.Fatal(err)
			}
			if len(sink.payloads) < c.minPackets {
				t.Fatalf("%d packets, want at least %d", len(sink.payloads), c.minPackets)
			}
			for i, p := range sink.payloads {
				if len(p) > 1188 {
					t.Errorf("payload %d is %d bytes, over the 1188 limit", i, len(p))
				}
				if sink.markers[i] != (i == len(sink.payloads)-1) {
					t.Errorf("payload %d marker=%v", i, sink.markers[i])
				}
			}
			if got := sink.payloads[0][0] & 0x1f; got != c.firstType {
				t.Errorf("first payload NAL type %d, want %d", got, c.firstType)
			}
			got := depacketize(t, sink.payloads)
			if want := unit.JoinAnnexB(nil, c.want); !bytes.Equal(got, want) {
				t.Errorf("reassembled %d bytes, want %d", len(got), len(want))
			}
		})
	}
}

func TestH264PacketizeTinyMTU(t *testing.T) {
	var z h264Packetizer
	if err := z.packetize(&discardSink{buf: make([]byte, 2)}, [][]byte{fakeNALU(1, 10)}, false, nil, nil); err == nil {
		t.Fatal("no error for a 2-byte payload size")
	}
}

// keyFrame is a 720p-like IDR access unit: AUD, SPS, PPS, SEI, 4 slices.
func keyFrame() [][]byte {
	return [][]byte{{0x09, 0xf0}, testSPS, testPPS, fakeNALU(6, 700),
		fakeNALU(5, 30000), fakeNALU(5, 25000), fakeNALU(5, 28000), fakeNALU(5, 27000)}
}

func TestH264PacketizeAllocatesNothing(t *testing.T) {
	var z h264Packetizer
	sink := &discardSink{buf: make([]byte, 1188)}
	nalus := keyFrame()
	nonKey := [][]byte{fakeNALU(1, 9000)}
	keyNoParams := [][]byte{fakeNALU(5, 9000)}
	allocs := testing.AllocsPerRun(50, func() {
		_ = z.packetize(sink, nalus, true, testSPS, testPPS)
		_ = z.packetize(sink, nonKey, false, testSPS, testPPS)
		_ = z.packetize(sink, keyNoParams, true, testSPS, testPPS)
	})
	if allocs != 0 {
		t.Errorf("packetizing allocates %.1f times per three frames, want 0", allocs)
	}
}

// BenchmarkPacketizeH264 measures the packetizer alone on a key frame.
func BenchmarkPacketizeH264(b *testing.B) {
	var z h264Packetizer
	sink := &discardSink{buf: make([]byte, 1188)}
	nalus := keyFrame()
	b.ReportAllocs()
	b.SetBytes(int64(len(unit.JoinAnnexB(nil, nalus))))
	for b.Loop() {
		_ = z.packetize(sink, nalus, true, testSPS, testPPS)
	}
}

// BenchmarkSendH264Frame measures the whole send path of a key frame:
// packetizing, RTP headers and one UDP write per packet on loopback.
func BenchmarkSendH264Frame(b *testing.B) {
	l, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	_ = l.SetReadBuffer(8 << 20)
	var ts targetStats
	st, err := newRTPStream("video", ptH264, videoClockRate, DefaultMTU, nil, false, &ts)
	if err != nil {
		b.Fatal(err)
	}
	if err := st.dial("127.0.0.1", l.LocalAddr().(*net.UDPAddr).Port, 0, true); err != nil {
		b.Fatal(err)
	}
	defer st.close()
	var z h264Packetizer
	nalus := keyFrame()
	b.ReportAllocs()
	b.SetBytes(int64(len(unit.JoinAnnexB(nil, nalus))))
	for b.Loop() {
		if err := z.packetize(st, nalus, true, testSPS, testPPS); err != nil {
			b.Fatal(err)
		}
	}
}
