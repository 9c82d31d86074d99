//go:build unix

package ui

import (
	"syscall"
	"time"
)

// cpuMeter measures the process's CPU use between two samples.
type cpuMeter struct {
	at   time.Time
	used time.Duration
}

// sample returns the CPU use since the last sample in percent of one
// core, or -1 on the first call.
func (c *cpuMeter) sample(now time.Time) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	used := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	prevAt, prevUsed := c.at, c.used
	c.at, c.used = now, used
	if prevAt.IsZero() || !now.After(prevAt) {
		return -1
	}
	return 100 * float64(used-prevUsed) / float64(now.Sub(prevAt))
}
