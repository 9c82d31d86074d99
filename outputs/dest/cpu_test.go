package dest

import (
	"context"
	"runtime"
	"testing"
	"time"

	"go.uber.org/goleak"

	"golive/media/cputime"
)

// burnWorker spends busy of its thread's CPU time every period (busy
// 0: it only waits).
type burnWorker struct{ busy, period time.Duration }

func (w burnWorker) Run(ctx context.Context, s *Session) error {
	s.Live()
	t := time.NewTicker(w.period)
	defer t.Stop()
	for {
		spin(w.busy)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// spin runs for d of the calling thread's CPU time and returns how many
// times it looked.
func spin(d time.Duration) (n int) {
	for start := cputime.OnThread(); cputime.OnThread()-start < d; {
		n++
	}
	return n
}

// TestSenderCPUFollowsItsThread: a destination's "cpu" is the CPU time of
// the thread its worker runs on: a worker that spends 40 ms of CPU every
// 200 ms reads about 0.2 of a core (less when a loaded machine stretches
// its period), one that only waits about nothing, and the figure is 0
// once the handler stopped.
func TestSenderCPUFollowsItsThread(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("thread CPU time is read on Linux")
	}
	defer goleak.VerifyNone(t)
	run := func(w burnWorker) (float64, *Handler) {
		h := &Handler{Name: "d", Kind: "test", Worker: w, Stream: newStream()}
		if err := h.Initialize(); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "live", func() bool { return h.Status().State == StateLive })
		time.Sleep(1100 * time.Millisecond) // the first window
		h.Status()
		time.Sleep(1100 * time.Millisecond)
		return h.Status().CPU, h
	}
	busy, h := run(burnWorker{busy: 40 * time.Millisecond, period: 200 * time.Millisecond})
	h.Close()
	if after := h.Status().CPU; after != 0 {
		t.Errorf("stopped destination: cpu %.3f, want 0", after)
	}
	idle, h := run(burnWorker{period: 200 * time.Millisecond})
	h.Close()
	t.Logf("busy worker %.3f of a core, idle one %.4f", busy, idle)
	if busy < 0.08 || busy > 0.3 {
		t.Errorf("a worker spending 40 ms of CPU every 200 ms: cpu %.3f, want about 0.2 (0.08-0.3)", busy)
	}
	if idle >= 0.01 {
		t.Errorf("a waiting worker: cpu %.4f, want < 0.01", idle)
	}
}
