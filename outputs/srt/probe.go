package srt

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"time"
)

// SRT handshake (draft-sharabayko-srt-01 section 3.2.1): a control packet
// of type 0 whose 48-byte CIF says version, handshake type and socket id.
// A listener answers an INDUCTION request statelessly (with a SYN cookie),
// without creating a connection: that makes a cheap reachability probe
// that a single-connection listener (ffmpeg) does not take as its caller.
const (
	srtHeaderSize   = 16
	handshakeCIF    = 48
	handshakeSize   = srtHeaderSize + handshakeCIF
	hsTypeInduction = 1
	maxProbeAnswer  = 1500
)

// inductionRequest builds a caller's INDUCTION handshake (version 4, as
// libsrt's callers send it first).
func inductionRequest(socketID uint32) []byte {
	b := make([]byte, handshakeSize)
	binary.BigEndian.PutUint32(b[0:], 0x80000000) // control, type 0 = handshake
	c := b[srtHeaderSize:]
	binary.BigEndian.PutUint32(c[0:], 4)     // version
	binary.BigEndian.PutUint16(c[6:], 2)     // extension field: 2 (UDT type DGRAM)
	binary.BigEndian.PutUint32(c[12:], 1500) // MTU
	binary.BigEndian.PutUint32(c[16:], 8192) // flow window
	binary.BigEndian.PutUint32(c[20:], hsTypeInduction)
	binary.BigEndian.PutUint32(c[24:], socketID)
	return b
}

// parseInductionAnswer checks that b is a handshake control packet of
// type INDUCTION addressed to socketID; it never reads past len(b).
func parseInductionAnswer(b []byte, socketID uint32) error {
	if len(b) < handshakeSize {
		return fmt.Errorf("answer of %d bytes is too short for a handshake", len(b))
	}
	if w := binary.BigEndian.Uint32(b[0:]); w != 0x80000000 {
		return fmt.Errorf("not a handshake control packet (0x%08x)", w)
	}
	if dst := binary.BigEndian.Uint32(b[12:]); dst != socketID && dst != 0 {
		return errors.New("handshake for another socket")
	}
	c := b[srtHeaderSize:]
	if v := binary.BigEndian.Uint32(c[0:]); v != 4 && v != 5 {
		return fmt.Errorf("handshake version %d", v)
	}
	if t := binary.BigEndian.Uint32(c[20:]); t != hsTypeInduction {
		return fmt.Errorf("handshake type %d, not induction", t)
	}
	return nil
}

// Probe implements dest.Prober: one INDUCTION handshake, answered by any
// SRT listener that is up.
func (p *Publisher) Probe(ctx context.Context) error {
	u, err := p.Endpoint()
	if err != nil {
		return err
	}
	addr, err := resolve(ctx, u)
	if err != nil {
		return err
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "udp", addr.String())
	if err != nil {
		return err
	}
	defer conn.Close()
	deadline := time.Now().Add(time.Second)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	_ = conn.SetDeadline(deadline)
	var id [4]byte
	_, _ = rand.Read(id[:])
	sid := binary.BigEndian.Uint32(id[:]) & 0x7fffffff
	if _, err := conn.Write(inductionRequest(sid)); err != nil {
		return err
	}
	buf := make([]byte, maxProbeAnswer)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			return err
		}
		if parseInductionAnswer(buf[:n], sid) == nil {
			return nil
		}
	}
}
