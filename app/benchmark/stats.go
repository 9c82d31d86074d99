package benchmark

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Spread is the median and range of a set of measurements.
type Spread struct {
	Median, Min, Max float64
	N                int
}

// NewSpread summarizes v (NaN values are ignored). The median of an even
// count is the mean of the two middle values.
func NewSpread(v []float64) Spread {
	s := make([]float64, 0, len(v))
	for _, x := range v {
		if !math.IsNaN(x) {
			s = append(s, x)
		}
	}
	if len(s) == 0 {
		return Spread{Median: math.NaN(), Min: math.NaN(), Max: math.NaN()}
	}
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return Spread{Median: m, Min: s[0], Max: s[len(s)-1], N: len(s)}
}

// Ratios divides a[i] by b[i], pair by pair.
func Ratios(a, b []float64) ([]float64, error) {
	if len(a) != len(b) {
		return nil, fmt.Errorf("%d measurements against %d", len(a), len(b))
	}
	r := make([]float64, len(a))
	for i := range a {
		if b[i] == 0 {
			r[i] = math.NaN()
			continue
		}
		r[i] = a[i] / b[i]
	}
	return r, nil
}

// Slope is the least-squares slope of y over x (NaN with fewer than two
// distinct x).
func Slope(x, y []float64) float64 {
	if len(x) != len(y) || len(x) < 2 {
		return math.NaN()
	}
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(len(x))
	my /= float64(len(y))
	var num, den float64
	for i := range x {
		num += (x[i] - mx) * (y[i] - my)
		den += (x[i] - mx) * (x[i] - mx)
	}
	if den == 0 {
		return math.NaN()
	}
	return num / den
}

// outputStats is the part of one `golive live --stats json` output that
// the harness reads.
type outputStats struct {
	Name       string         `json:"name"`
	Kind       string         `json:"kind"`
	State      string         `json:"state"`
	Bytes      uint64         `json:"bytes"`
	FramesSent uint64         `json:"frames_sent"`
	Dropped    uint64         `json:"dropped"`
	DroppedA   uint64         `json:"dropped_audio"`
	Reconnects uint64         `json:"reconnects"`
	Error      string         `json:"error"`
	Detail     map[string]any `json:"detail"`
	// CPU is the share of a core the output's sender thread used over
	// the last second.
	CPU float64 `json:"cpu"`
}

type statsLine struct {
	ElapsedS float64 `json:"elapsed_s"`
	Frames   struct {
		Captured uint64 `json:"captured"`
		Encoded  uint64 `json:"encoded"`
		Skipped  uint64 `json:"skipped"`
	} `json:"frames"`
	Outputs  []outputStats    `json:"outputs"`
	Encoders []EncoderFigures `json:"encoders"`
	Error    string           `json:"error"`
}

// EncoderFigures is one video encoder in GoLive's stats.
type EncoderFigures struct {
	ID      string  `json:"id"`
	Skipped uint64  `json:"skipped"`
	CPU     float64 `json:"cpu"`
}

// RunStats is what GoLive reported about one run (its last stats line).
type RunStats struct {
	// Encoded is the main encoder's frames; Skipped is the frames every
	// video encoder skipped.
	Encoded, Skipped uint64
	// Dropped counts packets dropped by all outputs (video and audio).
	Dropped uint64
	// Reconnects over all outputs.
	Reconnects uint64
	// RTMPFrames is the video frames sent to each RTMP destination.
	RTMPFrames []uint64
	// LatencyP50Ms and LatencyP99Ms are the worst capture-to-wire
	// percentiles over the RTMP destinations (NaN when not reported).
	LatencyP50Ms, LatencyP99Ms float64
	// DequeueP50Ms and DequeueP99Ms are the engine's and fan-out's share:
	// capture to the RTMP muxer's read (worst destination).
	DequeueP50Ms, DequeueP99Ms float64
	// Encoders is every video encoder's figures.
	Encoders []EncoderFigures
	// OutputCPU is each output's own CPU (its sender thread's, cores):
	// the mean of its "cpu" over the stats lines while live, from its
	// second live line on (the first may precede a full window).
	OutputCPU map[string]float64
}

// ParseGoLiveStats reads `golive live --stats json` output and returns the
// figures of its last line.
func ParseGoLiveStats(out []byte) (RunStats, error) {
	var last *statsLine
	cpu := outputCPU{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64*1024), 4<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var l statsLine
		if err := json.Unmarshal(line, &l); err != nil {
			return RunStats{}, fmt.Errorf("stats line: %w", err)
		}
		last = &l
		cpu.add(l.Outputs)
	}
	if err := sc.Err(); err != nil {
		return RunStats{}, fmt.Errorf("stats: %w", err)
	}
	if last == nil {
		return RunStats{}, errors.New("no stats line in golive's output")
	}
	rs := RunStats{Encoded: last.Frames.Encoded, Skipped: last.Frames.Skipped,
		LatencyP50Ms: math.NaN(), LatencyP99Ms: math.NaN(), DequeueP50Ms: math.NaN(), DequeueP99Ms: math.NaN()}
	rs.Encoders = last.Encoders
	rs.OutputCPU = cpu.means()
	if len(last.Encoders) > 0 {
		rs.Skipped = 0
		for _, e := range last.Encoders {
			rs.Skipped += e.Skipped
		}
	}
	for _, o := range last.Outputs {
		rs.Dropped += o.Dropped + o.DroppedA
		rs.Reconnects += o.Reconnects
		if o.Kind != "rtmp" {
			continue
		}
		rs.RTMPFrames = append(rs.RTMPFrames, o.FramesSent)
		rs.LatencyP50Ms = worst(rs.LatencyP50Ms, o.Detail["latency_p50_ms"])
		rs.LatencyP99Ms = worst(rs.LatencyP99Ms, o.Detail["latency_p99_ms"])
		rs.DequeueP50Ms = worst(rs.DequeueP50Ms, o.Detail["dequeue_p50_ms"])
		rs.DequeueP99Ms = worst(rs.DequeueP99Ms, o.Detail["dequeue_p99_ms"])
	}
	return rs, nil
}

func worst(cur float64, v any) float64 {
	f, ok := v.(float64)
	if !ok {
		return cur
	}
	if math.IsNaN(cur) || f > cur {
		return f
	}
	return cur
}

// outputCPU sums each output's "cpu" over the stats lines while live,
// skipping its first live line.
type outputCPU map[string]*struct {
	live int
	sum  float64
}

func (m outputCPU) add(outs []outputStats) {
	for _, o := range outs {
		if o.State != "live" {
			continue
		}
		a := m[o.Name]
		if a == nil {
			a = &struct {
				live int
				sum  float64
			}{}
			m[o.Name] = a
		}
		if a.live++; a.live > 1 {
			a.sum += o.CPU
		}
	}
}

func (m outputCPU) means() map[string]float64 {
	out := map[string]float64{}
	for name, a := range m {
		if a.live > 1 {
			out[name] = a.sum / float64(a.live-1)
		}
	}
	return out
}
