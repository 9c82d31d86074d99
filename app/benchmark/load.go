package benchmark

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// userHZ is the unit of /proc/stat (USER_HZ, 100 on Linux).
const userHZ = 100

// cpuTimes are the machine's CPU times since boot (/proc/stat).
type cpuTimes struct {
	// Busy is what all processes used: user, nice, system, irq and
	// softirq, plus the steal.
	Busy time.Duration
	// Steal is the time the hypervisor ran something else while this
	// machine's CPUs wanted to run: the host's noise.
	Steal time.Duration
}

// machineBusy returns the machine's CPU times since boot.
func machineBusy() (cpuTimes, error) {
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuTimes{}, fmt.Errorf("machine load: %w", err)
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	return parseBusy(line)
}

func parseBusy(line string) (cpuTimes, error) {
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return cpuTimes{}, fmt.Errorf("machine load: unexpected /proc/stat line %q", line)
	}
	var ticks [9]int64
	for _, i := range []int{1, 2, 3, 6, 7, 8} { // user nice system irq softirq steal
		v, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			return cpuTimes{}, fmt.Errorf("machine load: %w", err)
		}
		ticks[i] = v
	}
	busy := ticks[1] + ticks[2] + ticks[3] + ticks[6] + ticks[7] + ticks[8]
	return cpuTimes{
		Busy:  time.Duration(busy) * time.Second / userHZ,
		Steal: time.Duration(ticks[8]) * time.Second / userHZ,
	}, nil
}
