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

// machineBusy returns the CPU time all processes used since boot (user,
// nice, system, irq, softirq and steal in /proc/stat).
func machineBusy() (time.Duration, error) {
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, fmt.Errorf("machine load: %w", err)
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	return parseBusy(line)
}

func parseBusy(line string) (time.Duration, error) {
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, fmt.Errorf("machine load: unexpected /proc/stat line %q", line)
	}
	var ticks int64
	for _, i := range []int{1, 2, 3, 6, 7, 8} { // user nice system irq softirq steal
		v, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("machine load: %w", err)
		}
		ticks += v
	}
	return time.Duration(ticks) * time.Second / userHZ, nil
}
