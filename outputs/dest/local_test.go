package dest

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// liveThenOwnError goes live, then fails with an error of its own making
// (a packet it cannot packetize), every time it runs.
type liveThenOwnError struct{ attempts atomic.Int32 }

func (w *liveThenOwnError) Run(context.Context, *Session) error {
	w.attempts.Add(1)
	return FatalLocal(errors.New("rtp opus: a 585-byte packet does not fit"))
}

// TestLocalFatalAfterLiveIsNotRetried: our own error right after going
// live is not taken for the server's fatal-grace case: the destination
// fails once and waits (issue 16: mtu=256 reconnected 34 times in 70 s).
func TestLocalFatalAfterLiveIsNotRetried(t *testing.T) {
	defer goleak.VerifyNone(t)
	w := &liveThenOwnError{}
	h := &Handler{Name: "rtp", Kind: "rtp", Worker: workerFunc(func(ctx context.Context, s *Session) error {
		s.Live()
		return w.Run(ctx, s)
	}), Stream: newStream(), FirstRetry: 5 * time.Millisecond, FatalRetry: time.Hour}
	if err := h.Initialize(); err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	waitState(t, h, StateFailed)
	time.Sleep(200 * time.Millisecond) // 40 retry intervals
	st := h.Status()
	if n := w.attempts.Load(); n != 1 || st.State != StateFailed || st.Reconnects != 0 {
		t.Errorf("%d attempts, %d reconnects, state %s: want 1, 0, failed", n, st.Reconnects, st.State)
	}
	if !IsFatal(FatalLocal(errors.New("x"))) || FatalLocal(nil) != nil {
		t.Error("FatalLocal is not a fatal error")
	}
}

type workerFunc func(context.Context, *Session) error

func (f workerFunc) Run(ctx context.Context, s *Session) error { return f(ctx, s) }
