package testpeer

import (
	"context"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"
)

// ProxyMode is how a TCPProxy treats traffic.
type ProxyMode int

// Proxy modes.
const (
	// ProxyForward relays both directions (throttled when a rate is set).
	ProxyForward ProxyMode = iota
	// ProxyBlackHole accepts connections and never reads from them or
	// forwards anything: a server that hangs.
	ProxyBlackHole
)

// TCPProxy is a loopback TCP proxy to inject faults between a client and
// a real server: black-hole, bandwidth limits, connection resets.
type TCPProxy struct {
	Target string

	ln   net.Listener
	wg   sync.WaitGroup
	mu   sync.Mutex
	mode ProxyMode
	kbps int
	// conns are the open client-side and server-side connections.
	conns  map[net.Conn]struct{}
	closed bool
}

// StartTCPProxy listens on a free loopback port and relays to target. It
// is closed when the test ends.
func StartTCPProxy(t testing.TB, target string) *TCPProxy {
	t.Helper()
	// An Ethernet-sized segment: loopback's 64 KiB one makes a paced
	// reader's small receive window open in steps the sender waits for
	// with zero-window probes (stalls of 200 ms and more).
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { _ = setMSS(fd, 1448) })
	}}
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("proxy listen: %v", err)
	}
	p := &TCPProxy{Target: target, ln: ln, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.Close)
	return p
}

// Addr is the proxy's "127.0.0.1:port".
func (p *TCPProxy) Addr() string { return p.ln.Addr().String() }

// Port is the proxy's port.
func (p *TCPProxy) Port() int { return p.ln.Addr().(*net.TCPAddr).Port }

// SetMode switches the mode for current and new connections.
func (p *TCPProxy) SetMode(m ProxyMode) {
	p.mu.Lock()
	p.mode = m
	p.mu.Unlock()
}

// Throttle limits each direction of each connection to kbps kbit/s
// (0: unlimited).
func (p *TCPProxy) Throttle(kbps int) {
	p.mu.Lock()
	p.kbps = kbps
	p.mu.Unlock()
}

// Reset aborts every open connection with a TCP reset.
func (p *TCPProxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		_ = c.Close()
	}
}

// Close stops the proxy, closes every connection and waits for its
// goroutines.
func (p *TCPProxy) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	p.mu.Unlock()
	_ = p.ln.Close()
	p.Reset()
	p.wg.Wait()
}

func (p *TCPProxy) state() (ProxyMode, int, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mode, p.kbps, p.closed
}

func (p *TCPProxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		_ = c.Close()
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *TCPProxy) untrack(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	_ = c.Close()
}

func (p *TCPProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if !p.track(c) {
			return
		}
		// A small receive buffer makes a black-holed client block soon.
		_ = c.(*net.TCPConn).SetReadBuffer(16 * 1024)
		p.wg.Add(1)
		go p.serve(c)
	}
}

func (p *TCPProxy) serve(client net.Conn) {
	defer p.wg.Done()
	defer p.untrack(client)
	if mode, _, _ := p.state(); mode == ProxyBlackHole {
		p.hold()
		return
	}
	server, err := net.DialTimeout("tcp", p.Target, 5*time.Second)
	if err != nil || !p.track(server) {
		return
	}
	defer p.untrack(server)
	done := make(chan struct{}, 2)
	go func() { p.relay(server, client); done <- struct{}{} }()
	p.relay(client, server)
	<-done
}

// hold keeps a black-holed connection open without reading until the
// mode changes or the proxy closes.
func (p *TCPProxy) hold() {
	for {
		mode, _, closed := p.state()
		if closed || mode != ProxyBlackHole {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// relay copies src to dst in small blocks, pausing while black-holed and
// pacing to the throttle rate. Closing either side ends both.
func (p *TCPProxy) relay(dst, src net.Conn) {
	defer func() { _ = dst.Close(); _ = src.Close() }()
	buf := make([]byte, 4096)
	var pace pacer
	for {
		mode, kbps, closed := p.state()
		if closed {
			return
		}
		if mode == ProxyBlackHole {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
			if d := pace.after(time.Now(), n, kbps); d > 0 {
				time.Sleep(d)
			}
		}
		if err != nil {
			return
		}
	}
}

// pacerBurst is how far a throttled relay may fall behind its schedule
// (an idle link) and then catch up at full speed: a small burst, as a
// real bottleneck's queue allows.
const pacerBurst = 50 * time.Millisecond

// pacer spaces a throttled relay's writes on an absolute schedule: each
// block of n bytes is due n*8/kbps after the previous one, whatever the
// sleeps overshoot by (a per-write sleep after small reads delivered
// 0.6-0.85 Mbit/s for 1.5), so the long-run rate is the throttle's.
type pacer struct {
	next time.Time
	kbps int
}

// after accounts n bytes sent at now and returns how long to wait before
// the next read (0 when unthrottled or behind schedule).
func (pc *pacer) after(now time.Time, n, kbps int) time.Duration {
	if kbps <= 0 {
		pc.next, pc.kbps = time.Time{}, 0
		return 0
	}
	if kbps != pc.kbps || pc.next.Before(now.Add(-pacerBurst)) {
		pc.next, pc.kbps = now.Add(-pacerBurst), kbps
	}
	pc.next = pc.next.Add(time.Duration(n) * 8 * time.Millisecond / time.Duration(kbps))
	return pc.next.Sub(now)
}
