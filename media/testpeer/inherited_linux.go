package testpeer

import (
	"os"
	"strconv"
	"syscall"
)

// init marks the descriptors this test process inherited beyond stdin,
// stdout and stderr close-on-exec, so that the peers it starts (nginx,
// MediaMTX, ffmpeg…) do not hold them. A test run as
// `flock /tmp/golive-heavy.lock go test …` inherits the lock's descriptor:
// a peer left running by a test killed at its timeout would otherwise keep
// the machine-wide lock held, and every later heavy test would wait.
func init() {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return
	}
	for _, e := range entries {
		if fd, err := strconv.Atoi(e.Name()); err == nil && fd > 2 {
			syscall.CloseOnExec(fd)
		}
	}
}
