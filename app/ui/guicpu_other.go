//go:build !linux

package ui

import "time"

// guiThreadsCPU is not measured on this system: the preview keeps its
// full rate.
func guiThreadsCPU() (time.Duration, bool) { return 0, false }
