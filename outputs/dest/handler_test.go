package dest

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"golive/media/stream"
	"golive/media/unit"
)

// scriptWorker fails its first attempts with the given errors, then goes
// live and sends until the stream ends.
type scriptWorker struct {
	failures []error
	attempts atomic.Int32
	probeOK  atomic.Bool
}

func (w *scriptWorker) Run(ctx context.Context, s *Session) error {
	n := int(w.attempts.Add(1)) - 1
	if n < len(w.failures) {
		return w.failures[n]
	}
	s.Live()
	for {
		p, err := s.Reader.Read(ctx)
		if err != nil {
			return err
		}
		s.Counters.Bytes.Add(uint64(len(p.Data)))
		s.Counters.FramesSent.Add(1)
	}
}

type probingWorker struct {
	scriptWorker
	probes atomic.Int32
}

func (w *probingWorker) Probe(context.Context) error {
	w.probes.Add(1)
	if w.probeOK.Load() {
		return nil
	}
	return errors.New("refused")
}

func newStream() *stream.Stream {
	return stream.New(unit.Tracks{Video: &unit.VideoParams{Codec: unit.CodecH264}})
}

// waitFor polls cond (bounded): the event a test waits for.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10 s", what)
		}
	}
}

func waitState(t *testing.T, h *Handler, want State) Status {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if st := h.Status(); st.State == want {
			return st
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("state %q never reached; last %+v", want, h.Status())
	return Status{}
}

func TestHandlerReconnectsThenStopsWithStream(t *testing.T) {
	defer goleak.VerifyNone(t)
	s := newStream()
	w := &scriptWorker{failures: []error{errors.New("connection refused"), errors.New("connection refused")}}
	h := &Handler{Name: "a", Kind: "rtmp", Worker: w, Stream: s, FirstRetry: 10 * time.Millisecond}
	if err := h.Initialize(); err != nil {
		t.Fatal(err)
	}
	st := waitState(t, h, StateLive)
	if st.Reconnects != 2 || st.LastError != "" {
		t.Fatalf("after two failures: %+v", st)
	}
	s.Write(&unit.Packet{Codec: unit.CodecH264, Key: true, Data: make([]byte, 1000)})
	s.Close()
	<-h.Done()
	st = h.Status()
	if st.State != StateStopped || st.Bytes != 1000 || st.FramesSent != 1 {
		t.Fatalf("after stream end: %+v", st)
	}
	h.Close()
}

func TestHandlerFatalWaitsForRetryNow(t *testing.T) {
	defer goleak.VerifyNone(t)
	s := newStream()
	w := &scriptWorker{failures: []error{Fatal(errors.New("publish rejected: bad stream key"))}}
	waits := make(chan time.Duration, 4)
	h := &Handler{Name: "a", Kind: "rtmp", Worker: w, Stream: s, FirstRetry: time.Millisecond,
		waitTimer: func(d time.Duration, _ bool) (<-chan time.Time, func() bool) {
			waits <- d
			return nil, func() bool { return true } // fires never: only RetryNow ends it
		}}
	if err := h.Initialize(); err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	// The handler waits FatalRetry (5 min) after the refusal, not a retry
	// delay; with the timer held it can only go on when the user asks.
	if d := <-waits; d != 5*time.Minute {
		t.Fatalf("wait after a fatal error: %v, want 5m", d)
	}
	st := waitState(t, h, StateFailed)
	if st.LastError != "publish rejected: bad stream key" || st.RetryInS < 60 || w.attempts.Load() != 1 {
		t.Fatalf("fatal state: %+v after %d attempts", st, w.attempts.Load())
	}
	h.RetryNow()
	waitState(t, h, StateLive)
}

func TestHandlerProbeShortensWait(t *testing.T) {
	defer goleak.VerifyNone(t)
	s := newStream()
	w := &probingWorker{scriptWorker: scriptWorker{failures: []error{Unreachable(errors.New("connection refused"))}}}
	h := &Handler{Name: "a", Kind: "rtmp", Worker: w, Stream: s,
		FirstRetry: time.Hour, ProbeInterval: 5 * time.Millisecond}
	if err := h.Initialize(); err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	st := waitState(t, h, StateReconnecting)
	if st.RetryInS < 3000 || st.LastError != "connection refused" {
		t.Fatalf("reconnecting state: %+v", st)
	}
	waitFor(t, "a probe sees the server down", func() bool { return w.probes.Load() >= 1 })
	w.probeOK.Store(true)
	waitState(t, h, StateLive)
}

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

func TestRateMeter(t *testing.T) {
	var m rateMeter
	t0 := time.Unix(0, 0)
	var bytes uint64
	var r1, r10 float64
	for i := 0; i <= 20; i++ {
		bytes = uint64(i) * 62500 // 125 kB/s = 1 Mbit/s
		r1, r10 = m.sample(t0.Add(time.Duration(i)*500*time.Millisecond), bytes)
	}
	if r1 < 0.99e6 || r1 > 1.01e6 || r10 < 0.99e6 || r10 > 1.01e6 {
		t.Fatalf("rates %v %v, want 1e6", r1, r10)
	}
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

// TestRetryNowResetsBackoff: after Retry now, a failing attempt waits
// FirstRetry again instead of a longer delay; reconnect attempts ask the
// encoder for a key frame.
func TestRetryNowResetsBackoff(t *testing.T) {
	defer goleak.VerifyNone(t)
	s := newStream()
	fail := make([]error, 1000)
	for i := range fail {
		fail[i] = errors.New("connection refused")
	}
	var keys atomic.Int32
	h := &Handler{Name: "a", Kind: "rtmp", Worker: &scriptWorker{failures: fail}, Stream: s,
		FirstRetry: 50 * time.Millisecond, RetryFactor: 4, KeyFrame: func() { keys.Add(1) }}
	if err := h.Initialize(); err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	deadline := time.Now().Add(10 * time.Second)
	for h.Status().RetryInS < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("backoff never grew past 2 s: %+v", h.Status())
		}
		time.Sleep(5 * time.Millisecond)
	}
	before := h.Status().Reconnects
	h.RetryNow()
	var st Status
	for st = h.Status(); st.Reconnects == before || st.State != StateReconnecting || st.RetryInS > 1.5; st = h.Status() {
		if time.Now().After(deadline) {
			t.Fatalf("no short wait after Retry now: %+v", st)
		}
		time.Sleep(time.Millisecond)
	}
	if st.RetryInS > 0.06 {
		t.Fatalf("after Retry now the next wait is %.2f s, want the first delay (0.05 s)", st.RetryInS)
	}
	if keys.Load() < 3 {
		t.Fatalf("%d key frame requests for %d reconnects", keys.Load(), h.Status().Reconnects)
	}
}
