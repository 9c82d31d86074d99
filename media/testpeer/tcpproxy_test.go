package testpeer

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// sink accepts one connection and counts what it reads.
type sink struct {
	ln    net.Listener
	bytes atomic.Int64
	wg    sync.WaitGroup
}

func startSink(t *testing.T) *sink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &sink{ln: ln}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer func() { _ = c.Close() }()
		buf := make([]byte, 64*1024)
		for {
			n, err := c.Read(buf)
			s.bytes.Add(int64(n))
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { _ = ln.Close(); s.wg.Wait() })
	return s
}

// measureThrough writes through a proxy throttled to kbps in blocks of
// block bytes for d and returns the rate the far end received after a
// warm-up of 500 ms, in kbit/s.
func measureThrough(t *testing.T, kbps, block, sndbuf int, d time.Duration) float64 {
	t.Helper()
	s := startSink(t)
	p := StartTCPProxy(t, s.ln.Addr().String())
	p.Throttle(kbps)
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if sndbuf > 0 {
		_ = c.(*net.TCPConn).SetWriteBuffer(sndbuf)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		b := make([]byte, block)
		for {
			select {
			case <-stop:
				return
			default:
			}
			_ = c.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
			if _, err := c.Write(b); err != nil && !isTimeout(err) {
				return
			}
		}
	}()
	time.Sleep(500 * time.Millisecond)
	start, from := time.Now(), s.bytes.Load()
	time.Sleep(d)
	got := float64(s.bytes.Load()-from) * 8 / time.Since(start).Seconds() / 1000
	close(stop)
	wg.Wait()
	_ = c.Close()
	return got
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// TestProxyThrottleDelivers: a throttled proxy delivers its rate (±10 %)
// whether the sender writes large blocks or RTMP-sized small ones, or
// 8 KiB pieces through a small send buffer (as an adaptive RTMP
// destination does: before the proxy set an Ethernet-sized segment, that
// one got 0.75 Mbit/s of 1.5, in zero-window stalls), and far more once
// the throttle is lifted.
func TestProxyThrottleDelivers(t *testing.T) {
	for _, c := range []struct{ block, sndbuf int }{{64 * 1024, 0}, {300, 0}, {8 * 1024, 78 * 1024}} {
		got := measureThrough(t, 1500, c.block, c.sndbuf, 2*time.Second)
		t.Logf("throttle 1500 kbit/s, %d-byte writes, send buffer %d: %.0f kbit/s delivered", c.block, c.sndbuf, got)
		if got < 1350 || got > 1650 {
			t.Errorf("throttle 1500 kbit/s with %d-byte writes (send buffer %d) delivered %.0f kbit/s, want 1350-1650",
				c.block, c.sndbuf, got)
		}
	}
	if got := measureThrough(t, 0, 64*1024, 0, 500*time.Millisecond); got < 20_000 {
		t.Errorf("unthrottled proxy delivered %.0f kbit/s, want ≥ 20 Mbit/s", got)
	}
}
