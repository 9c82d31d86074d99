package testpeer

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// CPUPressure is a reading of the machine's CPU pressure stall counter
// (Linux PSI, /proc/pressure/cpu: the time during which at least one
// runnable task waited for a CPU). Real-time tests use it to tell a
// machine too busy for their figure from a fault of the code under test,
// and say so in their log.
type CPUPressure struct {
	at      time.Time
	stalled time.Duration
	ok      bool
}

// ReadCPUPressure reads the counter now (ok false where PSI is missing).
func ReadCPUPressure() CPUPressure {
	p := CPUPressure{at: time.Now()}
	b, err := os.ReadFile("/proc/pressure/cpu")
	if err != nil {
		return p
	}
	line, _, _ := strings.Cut(string(b), "\n") // "some avg10=… avg60=… avg300=… total=US"
	for _, f := range strings.Fields(line) {
		if v, found := strings.CutPrefix(f, "total="); found {
			us, err := strconv.ParseInt(v, 10, 64)
			if err == nil {
				p.stalled, p.ok = time.Duration(us)*time.Microsecond, true
			}
		}
	}
	return p
}

// Share is the part of the wall time since p (0 to 1) during which some
// task waited for a CPU; ok is false when the machine does not say.
func (p CPUPressure) Share() (float64, bool) {
	now := ReadCPUPressure()
	wall := now.at.Sub(p.at)
	if !p.ok || !now.ok || wall <= 0 {
		return 0, false
	}
	return min(1, max(0, float64(now.stalled-p.stalled)/float64(wall))), true
}
