package srt

import (
	"encoding/binary"
	"testing"
)

func TestInductionAnswer(t *testing.T) {
	req := inductionRequest(42)
	ans := append([]byte(nil), req...)
	binary.BigEndian.PutUint32(ans[12:], 42)
	binary.BigEndian.PutUint32(ans[srtHeaderSize:], 5)
	if err := parseInductionAnswer(ans, 42); err != nil {
		t.Fatal(err)
	}
	if parseInductionAnswer(ans[:40], 42) == nil {
		t.Fatal("short answer accepted")
	}
	binary.BigEndian.PutUint32(ans[srtHeaderSize+20:], 0xffffffff) // a rejection
	if parseInductionAnswer(ans, 42) == nil {
		t.Fatal("rejection taken as an answer")
	}
}

// FuzzInductionAnswer: the probe's parser takes any datagram without
// panicking or reading out of bounds.
func FuzzInductionAnswer(f *testing.F) {
	f.Add(inductionRequest(7), uint32(7))
	f.Add([]byte{0x80, 0, 0, 0}, uint32(0))
	f.Fuzz(func(_ *testing.T, b []byte, id uint32) {
		_ = parseInductionAnswer(b, id)
	})
}
