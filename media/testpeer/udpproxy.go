package testpeer

import (
	"errors"
	"math"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

// UDPRelay relays the datagrams of one client on a loopback port to a
// target and the answers back, dropping a share of what the client sends:
// a lossy uplink for WebRTC or SRT where tc netem is not available.
type UDPRelay struct {
	in, out *net.UDPConn
	loss    atomic.Uint64 // math.Float64bits of the share dropped
	rng     *rand.Rand    // used by the client-to-target goroutine only
	client  atomic.Pointer[net.UDPAddr]
	wg      sync.WaitGroup
	// pace is the rate limit of the client's datagrams (udprate.go).
	pace udpPacer
	// Passed and Dropped count client datagrams.
	Passed, Dropped atomic.Uint64
}

// StartUDPRelay listens on a free 127.0.0.1 port and relays to target
// (HOST:PORT), dropping the share loss (0-1) of the client's datagrams
// with a fixed seed. It stops with the test.
func StartUDPRelay(t testing.TB, target string, loss float64, seed uint64) *UDPRelay {
	t.Helper()
	in, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatalf("udp relay: %v", err)
	}
	raddr, err := net.ResolveUDPAddr("udp", target)
	if err != nil {
		t.Fatalf("udp relay: %v", err)
	}
	out, err := net.DialUDP("udp", nil, raddr)
	if err != nil {
		t.Fatalf("udp relay: %v", err)
	}
	_ = in.SetReadBuffer(4 << 20)
	_ = out.SetReadBuffer(4 << 20)
	r := &UDPRelay{in: in, out: out, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	r.SetLoss(loss)
	r.pace.init()
	r.wg.Add(3)
	go r.up()
	go r.down()
	go r.sendPaced()
	t.Cleanup(func() { _ = in.Close(); _ = out.Close(); r.pace.stop(); r.wg.Wait() })
	return r
}

// SetLoss changes the share of client datagrams dropped; 1 cuts the path
// both ways.
func (r *UDPRelay) SetLoss(loss float64) { r.loss.Store(math.Float64bits(loss)) }

// Port is where clients send.
func (r *UDPRelay) Port() int { return r.in.LocalAddr().(*net.UDPAddr).Port }

func (r *UDPRelay) up() {
	defer r.wg.Done()
	buf := make([]byte, 65536)
	for {
		n, from, err := r.in.ReadFromUDP(buf)
		if err != nil {
			return
		}
		r.client.Store(from)
		if r.rng.Float64() < math.Float64frombits(r.loss.Load()) {
			r.Dropped.Add(1)
			continue
		}
		if r.pace.limited() {
			if !r.pace.push(buf[:n]) {
				r.Dropped.Add(1)
			}
			continue
		}
		if _, err := r.out.Write(buf[:n]); err == nil {
			r.Passed.Add(1)
		}
	}
}

func (r *UDPRelay) down() {
	defer r.wg.Done()
	buf := make([]byte, 65536)
	for {
		n, err := r.out.Read(buf)
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue // ICMP port unreachable from the target: keep relaying
		}
		if c := r.client.Load(); c != nil && math.Float64frombits(r.loss.Load()) < 1 {
			_, _ = r.in.WriteToUDP(buf[:n], c)
		}
	}
}
