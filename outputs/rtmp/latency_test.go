package rtmp

import (
	"testing"
	"time"
)

func TestLatencyHistPercentiles(t *testing.T) {
	var h latencyHist
	if _, ok := h.percentile(0.5); ok {
		t.Fatal("empty histogram has a percentile")
	}
	for ms := range 100 { // 0..99 ms, one frame each
		h.record(time.Duration(ms)*time.Millisecond + 300*time.Microsecond)
	}
	h.record(5 * time.Second) // beyond the last bucket
	p50, _ := h.percentile(0.50)
	p99, _ := h.percentile(0.99)
	p100, _ := h.percentile(1)
	if p50 != 51 || p99 != 100 || p100 != 5000 {
		t.Fatalf("p50 %v p99 %v p100 %v, want 51 100 5000", p50, p99, p100)
	}
	d := map[string]any{}
	h.details(d, "latency")
	if d["latency_frames"] != uint64(101) || d["latency_max_ms"] != 5000.0 || d["latency_p50_ms"] != 51.0 {
		t.Fatalf("details = %v", d)
	}
}
