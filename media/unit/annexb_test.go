package unit

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// splitNaive is the byte-by-byte scan SplitAnnexB must agree with.
func splitNaive(b []byte) [][]byte {
	var out [][]byte
	start := -1
	for i := 0; i+2 < len(b); {
		if b[i] == 0 && b[i+1] == 0 && b[i+2] == 1 {
			if start >= 0 {
				out = appendNALU(out, b[start:i])
			}
			i += 3
			start = i
			continue
		}
		i++
	}
	if start >= 0 {
		out = appendNALU(out, b[start:])
	} else if len(b) > 0 {
		out = append(out, b)
	}
	return out
}

func TestSplitAnnexB(t *testing.T) {
	sps, pps, idr := []byte{0x67, 1, 2}, []byte{0x68, 3}, []byte{0x65, 0, 0, 3, 0, 0, 9}
	stream := JoinAnnexB(nil, [][]byte{sps, pps, idr})
	got := SplitAnnexB(nil, append([]byte{0, 0, 1}, stream[4:]...))
	want := [][]byte{sps, pps, idr}
	if len(got) != len(want) {
		t.Fatalf("got %d NAL units, want %d", len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Errorf("NAL unit %d = %x, want %x", i, got[i], want[i])
		}
	}
	if got := SplitAnnexB(nil, []byte{0x41, 7}); len(got) != 1 || got[0][0] != 0x41 {
		t.Errorf("no start code: got %x, want the whole input as one unit", got)
	}
	// Random streams rich in zeros and start codes, every length.
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 2000 {
		b := make([]byte, n%97)
		for i := range b {
			b[i] = []byte{0, 0, 0, 1, 0x65, byte(r.IntN(256))}[r.IntN(6)]
		}
		got, want := SplitAnnexB(nil, b), splitNaive(b)
		if len(got) != len(want) {
			t.Fatalf("%x: %d units, want %d", b, len(got), len(want))
		}
		for i := range want {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("%x: unit %d = %x, want %x", b, i, got[i], want[i])
			}
		}
	}
}

func BenchmarkSplitAnnexB(b *testing.B) {
	frame := JoinAnnexB(nil, [][]byte{{0x06, 5, 5}, bytes.Repeat([]byte{0x65, 0x88, 0x84, 0x21}, 2500)})
	var dst [][]byte
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		dst = SplitAnnexB(dst[:0], frame)
	}
}
