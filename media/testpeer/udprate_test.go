package testpeer

import (
	"encoding/binary"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestUDPRelayRate: a client sending 3 Mbit/s through a relay paced at
// 1.5 Mbit/s gets 1.5 Mbit/s through (±15 %, IP and UDP headers counted)
// and about half its datagrams dropped; delayed by at most the queue's
// 200 ms (500 ms allowed: a busy machine wakes the relay late). About 3 s.
func TestUDPRelayRate(t *testing.T) {
	sink, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	var got atomic.Int64
	var late atomic.Int64 // the longest delay seen, ns
	var wg sync.WaitGroup
	wg.Go(func() {
		buf := make([]byte, 2048)
		for {
			n, err := sink.Read(buf)
			if err != nil {
				return
			}
			sent := time.Unix(0, int64(binary.BigEndian.Uint64(buf[:8])))
			if d := int64(time.Since(sent)); d > late.Load() {
				late.Store(d)
			}
			got.Add(int64(n + 28))
		}
	})
	defer func() { _ = sink.Close(); wg.Wait() }()
	r := StartUDPRelay(t, sink.LocalAddr().String(), 0, 1)
	r.SetRate(1500, 200*time.Millisecond)
	c, err := net.DialUDP("udp", nil, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: r.Port()})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	const size, span = 1200, 2 * time.Second
	msg := make([]byte, size)
	start := time.Now()
	every := time.Duration((size + 28) * 8 * int64(time.Second) / 3_000_000) // 3 Mbit/s
	for i := 0; time.Since(start) < span; i++ {
		time.Sleep(time.Until(start.Add(time.Duration(i) * every)))
		binary.BigEndian.PutUint64(msg, uint64(time.Now().UnixNano()))
		_, _ = c.Write(msg)
	}
	time.Sleep(400 * time.Millisecond)
	kbps := float64(got.Load()) * 8 / (span + 200*time.Millisecond).Seconds() / 1000
	maxDelay := time.Duration(late.Load())
	t.Logf("through the relay: %.0f kb/s; %d passed, %d dropped; longest delay %v", kbps, r.Passed.Load(), r.Dropped.Load(), maxDelay)
	if kbps < 1500*0.85 || kbps > 1500*1.15 || r.Dropped.Load() < r.Passed.Load()/2 {
		t.Errorf("relay paced at 1500 kb/s passed %.0f kb/s (%d passed, %d dropped)", kbps, r.Passed.Load(), r.Dropped.Load())
	}
	if maxDelay > 500*time.Millisecond { // 200 ms and a wide margin for a busy machine
		t.Errorf("a datagram waited %v in a 200 ms queue", maxDelay)
	}
}
