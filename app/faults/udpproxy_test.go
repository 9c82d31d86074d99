package faults

import (
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// udpProxy relays datagrams from a loopback port to a target with a
// fixed delay and a random loss rate: a lossy, slow network path for RTP
// where tc netem is not available.
type udpProxy struct {
	in      *net.UDPConn
	out     *net.UDPConn
	delay   time.Duration
	loss    float64
	rng     *rand.Rand
	queue   chan delayed
	wg      sync.WaitGroup
	passed  atomic.Uint64
	dropped atomic.Uint64
}

type delayed struct {
	at   time.Time
	data []byte
}

// startUDPProxy listens on 127.0.0.1:port and relays to 127.0.0.1:target.
func startUDPProxy(t *testing.T, port, target int, delay time.Duration, loss float64) *udpProxy {
	t.Helper()
	in, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	if err != nil {
		t.Fatalf("udp proxy: %v", err)
	}
	out, err := net.DialUDP("udp", nil, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: target})
	if err != nil {
		t.Fatalf("udp proxy: %v", err)
	}
	_ = in.SetReadBuffer(4 << 20)
	p := &udpProxy{in: in, out: out, delay: delay, loss: loss, rng: rand.New(rand.NewPCG(1, uint64(port))),
		queue: make(chan delayed, 1<<16)}
	p.wg.Add(2)
	go p.read()
	go p.send()
	t.Cleanup(func() { _ = in.Close(); p.wg.Wait(); _ = out.Close() })
	return p
}

func (p *udpProxy) read() {
	defer p.wg.Done()
	defer close(p.queue)
	buf := make([]byte, 65536)
	for {
		n, err := p.in.Read(buf)
		if err != nil {
			return
		}
		if p.rng.Float64() < p.loss {
			p.dropped.Add(1)
			continue
		}
		select {
		case p.queue <- delayed{at: time.Now().Add(p.delay), data: append([]byte(nil), buf[:n]...)}:
		default:
			p.dropped.Add(1)
		}
	}
}

func (p *udpProxy) send() {
	defer p.wg.Done()
	for d := range p.queue {
		time.Sleep(time.Until(d.at))
		if _, err := p.out.Write(d.data); err == nil {
			p.passed.Add(1)
		}
	}
}
