package testpeer

import (
	"os"
	"testing"
	"time"
)

func TestCPUPressure(t *testing.T) {
	p := ReadCPUPressure()
	if _, err := os.Stat("/proc/pressure/cpu"); err != nil {
		if _, ok := p.Share(); ok {
			t.Fatal("a share without /proc/pressure/cpu")
		}
		t.Skip("no PSI on this kernel")
	}
	time.Sleep(50 * time.Millisecond)
	share, ok := p.Share()
	if !ok || share < 0 || share > 1 {
		t.Fatalf("share %v, %v: want a fraction", share, ok)
	}
	t.Logf("CPU pressure over 50 ms: %.0f %%", share*100)
}
