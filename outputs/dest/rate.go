package dest

import (
	"sync"
	"time"
)

type rateSample struct {
	at    time.Time
	bytes uint64
}

// rateMeter turns a growing byte counter into bit rates over the last
// second and the last ten seconds. It samples when asked, so it costs
// nothing between stats polls.
type rateMeter struct {
	mu      sync.Mutex
	samples []rateSample
}

func (m *rateMeter) sample(now time.Time, bytes uint64) (bps1, bps10 float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if n := len(m.samples); n == 0 || now.Sub(m.samples[n-1].at) >= 100*time.Millisecond {
		m.samples = append(m.samples, rateSample{now, bytes})
	}
	cut := 0
	for cut < len(m.samples)-1 && now.Sub(m.samples[cut].at) > 11*time.Second {
		cut++
	}
	m.samples = m.samples[cut:]
	return m.rateOver(now, bytes, time.Second), m.rateOver(now, bytes, 10*time.Second)
}

// rateOver uses the oldest sample inside the window, or the newest one
// before it when the window holds only the current sample.
func (m *rateMeter) rateOver(now time.Time, bytes uint64, window time.Duration) float64 {
	var ref *rateSample
	for i := range m.samples {
		s := &m.samples[i]
		if now.Sub(s.at) <= window+window/2 && now.Sub(s.at) > 0 {
			ref = s
			break
		}
	}
	if ref == nil {
		return 0
	}
	dt := now.Sub(ref.at).Seconds()
	return float64(bytes-ref.bytes) * 8 / dt
}
