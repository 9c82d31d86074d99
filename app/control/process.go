package control

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// processStats samples the process's CPU and resident memory through the
// Prometheus process collector (the same figures as the metrics).
type processStats struct {
	reg *prometheus.Registry

	mu       sync.Mutex
	lastCPU  float64
	lastWall time.Time
}

func newProcessStats() *processStats {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return &processStats{reg: reg}
}

// sample returns the CPU use in percent of one core since the previous
// sample (since the process started, the first time) and the RSS.
func (p *processStats) sample() (cpuPercent float64, rss uint64) {
	fams, err := p.reg.Gather()
	if err != nil && len(fams) == 0 {
		return 0, 0
	}
	var cpu, start float64
	for _, f := range fams {
		if len(f.GetMetric()) == 0 {
			continue
		}
		m := f.GetMetric()[0]
		switch f.GetName() {
		case "process_cpu_seconds_total":
			cpu = m.GetCounter().GetValue()
		case "process_resident_memory_bytes":
			rss = uint64(m.GetGauge().GetValue())
		case "process_start_time_seconds":
			start = m.GetGauge().GetValue()
		}
	}
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	prevCPU, prevWall := p.lastCPU, p.lastWall
	if prevWall.IsZero() && start > 0 {
		prevWall = time.Unix(0, int64(start*float64(time.Second)))
	}
	p.lastCPU, p.lastWall = cpu, now
	if wall := now.Sub(prevWall).Seconds(); wall > 0 && !prevWall.IsZero() {
		cpuPercent = max(0, (cpu-prevCPU)/wall*100)
	}
	return cpuPercent, rss
}
