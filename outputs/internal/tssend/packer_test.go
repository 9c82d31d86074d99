package tssend

import (
	"bytes"
	"errors"
	"testing"
)

// TestPackerGroupsWholeTSPackets: full datagrams go out as they fill, a
// flush sends the whole packets pending, and a send error sticks.
func TestPackerGroupsWholeTSPackets(t *testing.T) {
	buf := make([]byte, 7*PacketSize)
	var sent [][]byte
	var fail error
	z := &Packer{
		Buffer: func() []byte { return buf },
		Send: func(n int) error {
			if fail != nil {
				return fail
			}
			sent = append(sent, bytes.Clone(buf[:n]))
			return nil
		},
	}
	in := make([]byte, 10*PacketSize)
	for i := range in {
		in[i] = byte(i / PacketSize)
	}
	if n, err := z.Write(in); n != len(in) || err != nil {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if len(sent) != 1 || len(sent[0]) != 7*PacketSize || sent[0][6*PacketSize] != 6 {
		t.Fatalf("after 10 packets: %d datagrams sent, want one of 7 packets", len(sent))
	}
	if err := z.Flush(); err != nil {
		t.Fatal(err)
	}
	if len(sent) != 2 || len(sent[1]) != 3*PacketSize || sent[1][0] != 7 || sent[1][2*PacketSize] != 9 {
		t.Fatalf("flush sent %d datagrams (last %d bytes), want the 3 pending packets", len(sent), len(sent[len(sent)-1]))
	}
	fail = errors.New("gone")
	if _, err := z.Write(in[:PacketSize]); err != nil {
		t.Fatalf("a partial datagram is not sent yet: %v", err)
	}
	if err := z.Flush(); !errors.Is(err, fail) {
		t.Fatalf("Flush = %v, want the send error", err)
	}
	if _, err := z.Write(in); !errors.Is(err, fail) || !errors.Is(z.Err(), fail) {
		t.Fatalf("after a failed send: Write err %v, Err %v; want it kept", err, z.Err())
	}
}
