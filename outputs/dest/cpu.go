package dest

import (
	"sync"
	"time"

	"golive/media/cputime"
)

// cpuMeter measures the CPU a destination's sender costs: the handler's
// goroutine, which runs the worker (it takes packets from the queue,
// muxes and writes them to the socket), is locked to its OS thread for
// its lifetime, and that thread's CPU time is its own (media/cputime,
// the same reader as the encoders'). Not counted: the fan-out's enqueue
// of each packet, done on the encoder's goroutine (a few hundred
// nanoseconds a packet, see media/stream's benchmarks), goroutines a
// worker starts of its own (the RTMP connection's reader of server
// messages) and kernel work outside the sender's system calls (TCP
// acknowledgements in softirq).
type cpuMeter struct {
	mu  sync.Mutex
	tid int // 0: no sender thread now
	// at and used are the last sample: when and the thread's CPU time
	// then; frac is the share of a core over the last window.
	at   time.Time
	used time.Duration
	frac float64
}

// cpuWindow is the shortest window a CPU figure is measured over (as
// the encoders').
const cpuWindow = time.Second

// lock locks the calling goroutine to its thread and starts measuring
// it; the returned function stops measuring and unlocks.
func (m *cpuMeter) lock() func() {
	tid, unlock := cputime.LockThread()
	used, ok := cputime.Thread(tid)
	m.mu.Lock()
	if ok {
		m.tid, m.at, m.used = tid, time.Now(), used
	}
	m.mu.Unlock()
	return func() {
		m.mu.Lock()
		m.tid, m.frac = 0, 0
		m.mu.Unlock()
		unlock()
	}
}

// sample returns the sender's share of one core over the last window of
// at least cpuWindow ending at a sample: callers polling more often see
// the previous window's figure. 0 while no sender runs or where a
// thread's time cannot be read.
func (m *cpuMeter) sample(now time.Time) float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tid == 0 || now.Sub(m.at) < cpuWindow {
		return m.frac
	}
	used, ok := cputime.Thread(m.tid)
	if !ok {
		return m.frac
	}
	if d := used - m.used; d >= 0 {
		m.frac = d.Seconds() / now.Sub(m.at).Seconds()
	}
	m.at, m.used = now, used
	return m.frac
}
