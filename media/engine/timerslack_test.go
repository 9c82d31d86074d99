//go:build linux

package engine

import (
	"os"
	"runtime"
	"testing"
)

// TestTimerSlackOnEveryThread: the slack is set before the runtime starts,
// so a thread the runtime creates later has it too.
func TestTimerSlackOnEveryThread(t *testing.T) {
	if os.Getenv("GOLIVE_DEFAULT_TIMER_SLACK") == "1" {
		t.Skip("GOLIVE_DEFAULT_TIMER_SLACK=1 keeps the kernel's default")
	}
	got := make(chan int64)
	for range 4 {
		go func() {
			runtime.LockOSThread() // a thread of its own, ended with the goroutine
			got <- int64(currentTimerSlack())
		}()
	}
	for range 4 {
		if s := <-got; s != int64(TimerSlack) {
			t.Errorf("thread timer slack %d ns, want %d", s, TimerSlack.Nanoseconds())
		}
	}
}
