package rtmp

import (
	"sync/atomic"
	"time"
)

// Capture-to-wire latency: the time from a video frame's capture
// (unit.Packet.CaptureTime) to the moment the last byte of its RTMP
// message was handed to the socket. Messages are written synchronously,
// a batch of them (a frame and the audio queued before it) with one
// Write (clientConn.writeMessages), so that moment is when the Write
// returns.

// A second histogram, "dequeue", measures capture to the moment the
// muxer takes the frame from its queue: the engine's and the fan-out's
// share of the latency, the rest being RTMP muxing and the socket.

// latencyBuckets is the histogram resolution: 1 ms buckets up to
// latencyBuckets-2 ms, the last one for everything slower.
const latencyBuckets = 1002

// latencyHist is a lock-free histogram of whole milliseconds: one
// recording goroutine, any number of readers.
type latencyHist struct {
	counts [latencyBuckets]atomic.Uint64
	total  atomic.Uint64
	maxMs  atomic.Int64
}

func (h *latencyHist) record(d time.Duration) {
	ms := max(int64(d/time.Millisecond), 0)
	h.counts[min(ms, latencyBuckets-1)].Add(1)
	h.total.Add(1)
	if ms > h.maxMs.Load() {
		h.maxMs.Store(ms)
	}
}

// percentile returns the q-quantile (0 < q ≤ 1) in milliseconds, as the
// upper edge of its bucket, and false when nothing was recorded.
func (h *latencyHist) percentile(q float64) (float64, bool) {
	n := h.total.Load()
	if n == 0 {
		return 0, false
	}
	rank := uint64(q*float64(n) + 0.999999)
	rank = min(max(rank, 1), n)
	var seen uint64
	for i := range h.counts {
		seen += h.counts[i].Load()
		if seen >= rank {
			if i == latencyBuckets-1 {
				return float64(h.maxMs.Load()), true
			}
			return float64(i + 1), true
		}
	}
	return float64(h.maxMs.Load()), true
}

// details adds the histogram's figures to a Detail map, the keys
// starting with prefix.
func (h *latencyHist) details(m map[string]any, prefix string) {
	m[prefix+"_frames"] = h.total.Load()
	if p50, ok := h.percentile(0.50); ok {
		p99, _ := h.percentile(0.99)
		m[prefix+"_p50_ms"] = p50
		m[prefix+"_p99_ms"] = p99
		m[prefix+"_max_ms"] = float64(h.maxMs.Load())
	}
}
