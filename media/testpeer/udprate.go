package testpeer

import (
	"sync"
	"time"
)

// udpPacer is a UDPRelay's bottleneck: the client's datagrams leave at a set
// rate through a queue of bounded delay, and those that would wait longer
// are dropped (a router's drop-tail queue), so a sender above the rate
// sees both the delay grow and losses, as on a real uplink.
type udpPacer struct {
	mu       sync.Mutex
	kbps     int
	maxDelay time.Duration
	// next is when the link is free again.
	next  time.Time
	queue chan udpPaced
	done  chan struct{}
	once  sync.Once
}

type udpPaced struct {
	b  []byte
	at time.Time
}

func (p *udpPacer) init() {
	p.queue = make(chan udpPaced, 4096)
	p.done = make(chan struct{})
}

func (p *udpPacer) stop() { p.once.Do(func() { close(p.done) }) }

func (p *udpPacer) limited() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.kbps > 0
}

// push queues a copy of b to leave when the link has sent what is ahead
// of it; false when it would wait more than maxDelay (dropped).
func (p *udpPacer) push(b []byte) bool {
	p.mu.Lock()
	now := time.Now()
	start := p.next
	if start.Before(now) {
		start = now
	}
	if start.Sub(now) > p.maxDelay {
		p.mu.Unlock()
		return false
	}
	p.next = start.Add(time.Duration(float64(len(b)+28) * 8 / float64(p.kbps*1000) * float64(time.Second)))
	p.mu.Unlock()
	select {
	case p.queue <- udpPaced{b: append([]byte(nil), b...), at: p.next}:
		return true
	default:
		return false
	}
}

// SetRate limits what the client sends to kbps (IP and UDP headers
// counted) through a queue holding at most maxDelay; 0 lifts the limit
// (what is queued still leaves at the old pace).
func (r *UDPRelay) SetRate(kbps int, maxDelay time.Duration) {
	r.pace.mu.Lock()
	defer r.pace.mu.Unlock()
	r.pace.kbps, r.pace.maxDelay = kbps, maxDelay
}

// sendPaced sends the queued datagrams at their time.
func (r *UDPRelay) sendPaced() {
	defer r.wg.Done()
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		var d udpPaced
		select {
		case <-r.pace.done:
			return
		case d = <-r.pace.queue:
		}
		if wait := time.Until(d.at); wait > 0 {
			t.Reset(wait)
			select {
			case <-r.pace.done:
				return
			case <-t.C:
			}
		}
		if _, err := r.out.Write(d.b); err == nil {
			r.Passed.Add(1)
		}
	}
}
