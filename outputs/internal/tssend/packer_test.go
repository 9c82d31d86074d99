package tssend

import (
	"bytes"
	"errors"
	"math/rand/v2"
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

// tsPacket is a 188-byte TS packet on pid; pes makes it start a PES
// (after an adaptation field of af bytes when af > 0).
func tsPacket(pid int, pes bool, af int) []byte {
	p := make([]byte, PacketSize)
	p[0], p[1], p[2], p[3] = 0x47, byte(pid>>8)&0x1f, byte(pid), 0x10
	off := 4
	if af > 0 {
		p[3] |= 0x20
		p[4] = byte(af)
		off += 1 + af
	}
	if pes {
		p[1] |= 0x40
		copy(p[off:], []byte{0, 0, 1, 0xe0})
	} else if pid == 0 {
		p[1] |= 0x40 // a section starts: pointer_field 0, table_id 0
	}
	return p
}

// TestPackerTablesLeadAlone: with a lead-in, the tables before the first
// PES go out as their own datagram, then the lead-in runs once, then the
// rest is grouped as usual; later tables and PES starts change nothing.
func TestPackerTablesLeadAlone(t *testing.T) {
	buf := make([]byte, 7*PacketSize)
	var sent [][]byte
	leads := 0
	z := &Packer{
		Buffer: func() []byte { return buf },
		Send:   func(n int) error { sent = append(sent, bytes.Clone(buf[:n])); return nil },
	}
	z.beforeMedia = func() error {
		leads++
		if len(sent) != 1 || len(sent[0]) != 3*PacketSize {
			t.Errorf("at the lead-in %d datagrams were sent, want the 3 tables alone", len(sent))
		}
		return nil
	}
	in := bytes.Join([][]byte{tsPacket(0x11, false, 0), tsPacket(0, false, 0), tsPacket(0x1000, false, 0),
		tsPacket(0x100, true, 7), tsPacket(0x100, false, 0), tsPacket(0, false, 0), tsPacket(0x101, true, 0)}, nil)
	// Written in odd chunks: the muxer's writes need not end on a packet.
	for off := 0; off < len(in); off += 100 {
		if _, err := z.Write(in[off:min(off+100, len(in))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := z.Flush(); err != nil {
		t.Fatal(err)
	}
	if leads != 1 || len(sent) != 2 || len(sent[1]) != 4*PacketSize || sent[1][2] != 0 || sent[1][1]&0x40 == 0 {
		t.Fatalf("%d lead-ins, %d datagrams: want one, the tables then the 4 packets from the first PES", leads, len(sent))
	}

	// A failing lead-in (the output stops) is the Packer's error.
	stop := errors.New("stopped")
	z = &Packer{Buffer: func() []byte { return buf }, Send: func(int) error { return nil },
		beforeMedia: func() error { return stop }}
	if _, err := z.Write(in); !errors.Is(err, stop) || !errors.Is(z.Err(), stop) {
		t.Fatalf("Write = %v, Err %v: want the lead-in's error", err, z.Err())
	}
}

// TestPackerArbitraryBytes: whatever the muxer writes, in any chunks, the
// Packer sends only whole TS packets and loses or invents no byte.
func TestPackerArbitraryBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for run := range 200 {
		buf := make([]byte, (1+rng.IntN(7))*PacketSize)
		var out []byte
		z := &Packer{Buffer: func() []byte { return buf },
			Send: func(n int) error {
				if n%PacketSize != 0 || n > len(buf) {
					t.Fatalf("run %d: sent %d bytes", run, n)
				}
				out = append(out, buf[:n]...)
				return nil
			}}
		if run%2 == 0 {
			z.beforeMedia = func() error { return nil }
		}
		in := make([]byte, rng.IntN(20*PacketSize))
		for i := range in {
			in[i] = byte(rng.IntN(4)) // many 00 00 01 and 0x47-less bytes
			if rng.IntN(20) == 0 {
				in[i] = 0x47
			}
		}
		for off := 0; off < len(in); {
			n := min(len(in)-off, 1+rng.IntN(400))
			if w, err := z.Write(in[off : off+n]); w != n || err != nil {
				t.Fatalf("run %d: Write = %d, %v", run, w, err)
			}
			off += n
		}
		if err := z.Flush(); err != nil {
			t.Fatal(err)
		}
		whole := len(in) / PacketSize * PacketSize
		if !bytes.Equal(out, in[:whole]) {
			t.Fatalf("run %d: sent %d bytes, want the %d of the whole packets, in order", run, len(out), whole)
		}
	}
}
