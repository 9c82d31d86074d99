package dest

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// liveThenDrop goes live and loses the connection after lives, every
// time, recording when each attempt started.
type liveThenDrop struct {
	lives  time.Duration
	starts chan time.Time
}

func (w *liveThenDrop) Run(ctx context.Context, s *Session) error {
	w.starts <- time.Now()
	s.Live()
	select {
	case <-time.After(w.lives):
	case <-ctx.Done():
		return ctx.Err()
	}
	return errors.New("server closed the connection")
}

// attemptGaps runs w under a handler until it made n attempts and
// returns the gaps between them and the last status.
func attemptGaps(t *testing.T, w *liveThenDrop, stable time.Duration, n int) ([]time.Duration, Status) {
	t.Helper()
	w.starts = make(chan time.Time, n+1)
	h := &Handler{Name: "a", Kind: "rtmp", Worker: w, Stream: newStream(),
		FirstRetry: gapFirstRetry, RetryFactor: 2, MaxRetry: time.Hour, StableLive: stable}
	if err := h.Initialize(); err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	var gaps []time.Duration
	last := <-w.starts
	for range n - 1 {
		at := <-w.starts
		gaps = append(gaps, at.Sub(last))
		last = at
	}
	return gaps, waitState(t, h, StateReconnecting)
}

// gapFirstRetry is the first wait of the backoff tests: 100 ms, so that
// a loaded machine's scheduling delays (tens of ms) stay well inside the
// margins between a reset and a grown backoff.
const gapFirstRetry = 100 * time.Millisecond

// TestShortLivedConnectionsBackOff: a server that drops the stream soon
// after accepting it gets growing waits (the backoff is not reset by
// going live), and the error says why.
func TestShortLivedConnectionsBackOff(t *testing.T) {
	defer goleak.VerifyNone(t)
	gaps, st := attemptGaps(t, &liveThenDrop{lives: 5 * time.Millisecond}, time.Hour, 6)
	for i := 1; i < len(gaps); i++ {
		if gaps[i] < gaps[i-1]*5/4 { // x2 a wait, ±10 % jitter
			t.Fatalf("waits did not grow: %v", gaps)
		}
	}
	if !strings.Contains(st.LastError, "after publish, ") || !strings.Contains(st.LastError, "times in a row: server closed") {
		t.Fatalf("error %q does not say the connection keeps closing after publish", st.LastError)
	}
	t.Logf("gaps %v; error %q", gaps, st.LastError)
}

// TestStableLiveResetsBackoff: a connection that stayed live StableLive
// starts the backoff again from FirstRetry.
func TestStableLiveResetsBackoff(t *testing.T) {
	defer goleak.VerifyNone(t)
	const lives = 300 * time.Millisecond
	gaps, _ := attemptGaps(t, &liveThenDrop{lives: lives}, 200*time.Millisecond, 6)
	// Reset: every gap is lives + FirstRetry (±10 %). Grown, the third
	// gap would be lives + 4×FirstRetry and the fifth lives + 16×.
	for _, g := range gaps {
		if g > lives+3*gapFirstRetry {
			t.Fatalf("backoff grew after stable live periods: %v (each should be about %v)", gaps, lives+gapFirstRetry)
		}
	}
}

// liveThenFatal goes live, loses the connection, is then refused once
// with a fatal error (the server still holds the old connection), then
// goes live again.
type liveThenFatal struct{ attempts atomic.Int32 }

func (w *liveThenFatal) Run(ctx context.Context, s *Session) error {
	switch w.attempts.Add(1) {
	case 1:
		s.Live()
		return errors.New("connection reset by peer")
	case 2:
		return Fatal(errors.New("publish rejected: already publishing"))
	}
	s.Live()
	<-ctx.Done()
	return ctx.Err()
}

// TestFatalRightAfterLiveIsRetried: a fatal answer within FatalGrace of
// losing a live connection is retried with the normal backoff instead of
// waiting FatalRetry.
func TestFatalRightAfterLiveIsRetried(t *testing.T) {
	defer goleak.VerifyNone(t)
	w := &liveThenFatal{}
	h := &Handler{Name: "a", Kind: "rtmp", Worker: w, Stream: newStream(),
		FirstRetry: 5 * time.Millisecond, FatalRetry: time.Hour}
	if err := h.Initialize(); err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	deadline := time.Now().Add(10 * time.Second)
	for w.attempts.Load() < 3 || h.Status().State != StateLive {
		if st := h.Status(); st.State == StateFailed || time.Now().After(deadline) {
			t.Fatalf("state %s after %d attempts (%s): want live again", st.State, w.attempts.Load(), st.LastError)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
