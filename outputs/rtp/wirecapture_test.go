package rtp

import (
	"encoding/binary"
	"errors"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// datagram is one UDP datagram a wireCapture received.
type datagram struct {
	port int       // index of the port in the group (0 = the target's Port)
	at   time.Time // kernel receive time (SO_TIMESTAMPNS)
	data []byte
}

// wireCapture receives on 4 consecutive loopback ports (a native target's
// RTP and RTCP ports), stamps every datagram with the kernel's receive
// time, keeps a copy, and forwards it, when asked, to the same ports of
// another base (a real receiver behind it).
type wireCapture struct {
	g       *udpGroup
	forward int // base port to forward to; 0: none

	mu   sync.Mutex
	got  []datagram
	wg   sync.WaitGroup
	once sync.Once
}

func startWireCapture(t *testing.T, forward int) *wireCapture {
	t.Helper()
	c := &wireCapture{g: listenPorts(t, 4), forward: forward}
	for i, conn := range c.g.conns {
		raw, err := conn.SyscallConn()
		if err != nil {
			t.Fatal(err)
		}
		var serr error
		if err := raw.Control(func(fd uintptr) {
			serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1)
		}); err != nil || serr != nil {
			t.Fatalf("SO_TIMESTAMPNS: %v %v", err, serr)
		}
		if err := conn.SetReadBuffer(4 << 20); err != nil {
			t.Fatal(err)
		}
		c.wg.Go(func() { c.read(i, conn) })
	}
	t.Cleanup(c.stop)
	return c
}

func (c *wireCapture) read(i int, conn *net.UDPConn) {
	buf := make([]byte, 65536)
	oob := make([]byte, 128)
	var to *net.UDPAddr
	if c.forward != 0 {
		to = &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: c.forward + i}
	}
	for {
		n, oobn, _, _, err := conn.ReadMsgUDP(buf, oob)
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue // ICMP errors of the forwarding
		}
		d := datagram{port: i, at: kernelTime(oob[:oobn]), data: slices.Clone(buf[:n])}
		c.mu.Lock()
		c.got = append(c.got, d)
		c.mu.Unlock()
		if to != nil {
			_, _ = conn.WriteToUDP(d.data, to)
		}
	}
}

// kernelTime is the SCM_TIMESTAMPNS of a control message, or now.
func kernelTime(oob []byte) time.Time {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return time.Now()
	}
	for _, m := range msgs {
		if m.Header.Level == unix.SOL_SOCKET && m.Header.Type == unix.SCM_TIMESTAMPNS && len(m.Data) >= 16 {
			sec := int64(binary.NativeEndian.Uint64(m.Data[0:8]))
			nsec := int64(binary.NativeEndian.Uint64(m.Data[8:16]))
			return time.Unix(sec, nsec)
		}
	}
	return time.Now()
}

// stop closes the sockets and waits for the readers.
func (c *wireCapture) stop() {
	c.once.Do(func() {
		c.g.close()
		c.wg.Wait()
	})
}

// datagrams returns what arrived so far, in arrival order.
func (c *wireCapture) datagrams() []datagram {
	c.mu.Lock()
	out := slices.Clone(c.got)
	c.mu.Unlock()
	slices.SortStableFunc(out, func(a, b datagram) int { return a.at.Compare(b.at) })
	return out
}

// count returns how many datagrams arrived on port index i.
func (c *wireCapture) count(i int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, d := range c.got {
		if d.port == i {
			n++
		}
	}
	return n
}
