package engine

import (
	"sync"
	"time"
)

// threadCPU is the CPU time of the OS threads that work for one encoder:
// the thread its goroutine is locked to while it encodes, and the threads
// its library started when it was opened (libx264's slice threads,
// libx265's pool, SVT-AV1's pipeline). Time a thread spent waiting for a
// core is not counted, unlike the wall time of the encode calls, which on
// a loaded machine reads several times the real cost. Threads that exited
// keep what they were counted; a thread whose time cannot be read counts
// nothing (see threadTime).
type threadCPU struct {
	mu   sync.Mutex
	last map[int]time.Duration
}

// add starts counting the threads tids from their current CPU time.
func (t *threadCPU) add(tids ...int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.last == nil {
		t.last = map[int]time.Duration{}
	}
	for _, id := range tids {
		if _, ok := t.last[id]; !ok {
			d, _ := threadTime(id)
			t.last[id] = d
		}
	}
}

// counting reports whether any thread is counted.
func (t *threadCPU) counting() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.last) > 0
}

// delta returns the CPU time the threads used since the last call.
func (t *threadCPU) delta() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	var sum time.Duration
	for id, prev := range t.last {
		d, ok := threadTime(id)
		if !ok {
			delete(t.last, id) // exited
			continue
		}
		if d > prev {
			sum += d - prev
		}
		t.last[id] = d
	}
	return sum
}

// startedBy runs open and returns the threads of this process that
// appeared meanwhile: those an encoder's library started (nil where
// threads cannot be listed).
func startedBy(open func() error) ([]int, error) {
	before := threadIDs()
	err := open()
	if before == nil {
		return nil, err
	}
	var out []int
	for _, id := range sortedKeys(threadIDs()) {
		if !before[id] {
			out = append(out, id)
		}
	}
	return out, err
}
