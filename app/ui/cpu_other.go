//go:build !unix

package ui

import "time"

// cpuMeter is not implemented on this platform.
type cpuMeter struct{}

func (c *cpuMeter) sample(time.Time) float64 { return -1 }
