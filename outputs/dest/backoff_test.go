package dest

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// fakeWaits replaces a handler's wait timer: every wait is recorded and
// fires at once, so the test sees handler.go's real delays without
// waiting for them.
type fakeWaits struct{ waits chan time.Duration }

func (f *fakeWaits) timer(d time.Duration, _ bool) (<-chan time.Time, func() bool) {
	select {
	case f.waits <- d:
	default:
		return nil, func() bool { return true } // enough recorded: held until Close
	}
	c := make(chan time.Time, 1)
	c <- time.Now()
	return c, func() bool { return false }
}

// next returns the next wait the handler started.
func (f *fakeWaits) next(t *testing.T) time.Duration {
	t.Helper()
	select {
	case d := <-f.waits:
		return d
	case <-time.After(10 * time.Second):
		t.Fatal("no wait within 10 s")
		return 0
	}
}

// TestBackoffDelays: the waits handler.go starts between failed attempts
// grow from FirstRetry by RetryFactor up to MaxRetry (the figures are
// written out, not recomputed), the jitter stays within ±10%, only a
// connection that stayed live StableLive starts the backoff over, and a
// fatal error waits FatalRetry.
func TestBackoffDelays(t *testing.T) {
	// Base delays 2, 3, 4.5, 6.75, 10.125, 15.1875, 22.78125, 34.171875,
	// 51.2578125, then 60 s (capped), with the jitter draws x1.0, x0.9,
	// x1.05 in turn.
	growth := []time.Duration{2 * time.Second, 2700 * time.Millisecond, 4725 * time.Millisecond,
		6750 * time.Millisecond, 9112500 * time.Microsecond, 15946875 * time.Microsecond,
		22781250 * time.Microsecond, 30754687500, 53820703125, 60 * time.Second, 54 * time.Second, 63 * time.Second}
	for _, c := range []struct {
		name       string
		stableLive time.Duration
		afterLive  []time.Duration // the waits after the live connection ended
	}{
		// Live long enough: the backoff starts over (2 s x1.0, 3 s x0.9).
		{"stable", time.Nanosecond, []time.Duration{2 * time.Second, 2700 * time.Millisecond}},
		// Live for less than a minute: it goes on at the cap (60 s x1.0, x0.9).
		{"short", 0, []time.Duration{60 * time.Second, 54 * time.Second}},
	} {
		t.Run(c.name, func(t *testing.T) {
			waits := runBackoff(t, c.stableLive, len(growth)+len(c.afterLive)+1)
			want := append(append(append([]time.Duration{}, growth...), c.afterLive...), 5*time.Minute)
			for i, d := range want {
				if absDiff(waits[i], d) > time.Microsecond {
					t.Fatalf("wait %d: %v, want %v (all: %v)", i+1, waits[i], d, waits)
				}
			}
		})
	}
}

// runBackoff runs a handler whose worker fails 12 times, goes live once,
// fails once more, then fails fatally for good, and returns its first n
// waits.
func runBackoff(t *testing.T, stableLive time.Duration, n int) []time.Duration {
	defer goleak.VerifyNone(t)
	fails := make([]error, 12)
	for i := range fails {
		fails[i] = errors.New("connection refused")
	}
	w := &liveThenFailing{first: fails, then: Fatal(errors.New("publish rejected"))}
	f := &fakeWaits{waits: make(chan time.Duration, 64)}
	var draw atomic.Int32
	randoms := []float64{0.5, 0, 0.75} // jitter x1.0, x0.9, x1.05
	h := &Handler{Name: "a", Kind: "rtmp", Worker: w, Stream: newStream(), FatalRetry: 5 * time.Minute,
		FatalGrace: time.Nanosecond, StableLive: stableLive, waitTimer: f.timer,
		random: func() float64 { return randoms[int(draw.Add(1)-1)%len(randoms)] }}
	if err := h.Initialize(); err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	waits := make([]time.Duration, n)
	for i := range waits {
		waits[i] = f.next(t)
	}
	return waits
}

func absDiff(a, b time.Duration) time.Duration {
	if a > b {
		return a - b
	}
	return b - a
}

// liveThenFailing fails with first, goes live once and loses the
// connection, fails once more, then fails with then for good.
type liveThenFailing struct {
	first    []error
	then     error
	attempts atomic.Int32
}

func (w *liveThenFailing) Run(_ context.Context, s *Session) error {
	n := int(w.attempts.Add(1)) - 1
	switch {
	case n < len(w.first):
		return w.first[n]
	case n == len(w.first):
		s.Live()
		return errors.New("connection reset by peer")
	case n == len(w.first)+1:
		return errors.New("connection refused")
	}
	return w.then
}

// TestReachableServerIsNotHammered: a server that accepts connections
// but refuses the stream answers every probe; that must not turn the
// backoff into one attempt per ProbeInterval.
func TestReachableServerIsNotHammered(t *testing.T) {
	defer goleak.VerifyNone(t)
	w := &probingWorker{scriptWorker: scriptWorker{failures: []error{errors.New("server closed the connection")}}}
	w.probeOK.Store(true)
	type started struct {
		d       time.Duration
		probing bool
	}
	waits := make(chan started, 4)
	h := &Handler{Name: "a", Kind: "rtmp", Worker: w, Stream: newStream(),
		FirstRetry: time.Hour, ProbeInterval: 5 * time.Millisecond,
		waitTimer: func(d time.Duration, probing bool) (<-chan time.Time, func() bool) {
			waits <- started{d, probing}
			return nil, func() bool { return true } // held: only a probe or RetryNow could end it
		}}
	if err := h.Initialize(); err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	// The wait that follows is the full backoff, and it does not probe the
	// server that accepted the connection: nothing can shorten it.
	w0 := <-waits
	if w0.d < 54*time.Minute || w0.probing {
		t.Fatalf("wait %v (probing %v): want about an hour, no probes", w0.d, w0.probing)
	}
	if n := w.attempts.Load(); n != 1 {
		t.Fatalf("%d attempts: successful probes of a reachable server cut the backoff", n)
	}
	if n := w.probes.Load(); n != 0 {
		t.Fatalf("%d probes of a server that accepted the connection", n)
	}
}
