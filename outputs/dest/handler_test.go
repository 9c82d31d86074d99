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
	h := &Handler{Name: "a", Kind: "rtmp", Worker: w, Stream: s, FirstRetry: time.Millisecond}
	if err := h.Initialize(); err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	st := waitState(t, h, StateFailed)
	if st.LastError != "publish rejected: bad stream key" || st.RetryInS < 60 {
		t.Fatalf("fatal state: %+v", st)
	}
	time.Sleep(50 * time.Millisecond)
	if n := w.attempts.Load(); n != 1 {
		t.Fatalf("fatal error retried %d times without the user", n-1)
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
	time.Sleep(50 * time.Millisecond) // probes see the server down first
	w.probeOK.Store(true)
	waitState(t, h, StateLive)
}

func TestBackoffGrowsAndCaps(t *testing.T) {
	h := &Handler{FirstRetry: 2 * time.Second, RetryFactor: 1.5, MaxRetry: 60 * time.Second}
	d := h.FirstRetry
	for i := 0; i < 20; i++ {
		wait, state := h.nextDelay(errors.New("x"), d)
		if state != StateReconnecting || wait < d*9/10 || wait > d*11/10 {
			t.Fatalf("attempt %d: wait %v for delay %v", i, wait, d)
		}
		d = min(time.Duration(float64(d)*h.RetryFactor), h.MaxRetry)
	}
	if d != 60*time.Second {
		t.Fatalf("backoff not capped: %v", d)
	}
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
	h := &Handler{Name: "a", Kind: "rtmp", Worker: w, Stream: newStream(),
		FirstRetry: time.Hour, ProbeInterval: 5 * time.Millisecond}
	if err := h.Initialize(); err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	waitState(t, h, StateReconnecting)
	time.Sleep(200 * time.Millisecond) // 40 probe intervals
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
		FirstRetry: 10 * time.Millisecond, RetryFactor: 2, MaxRetry: time.Hour, StableLive: stable}
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
	gaps, _ := attemptGaps(t, &liveThenDrop{lives: 30 * time.Millisecond}, 20*time.Millisecond, 6)
	for _, g := range gaps {
		if g > 30*time.Millisecond+40*time.Millisecond {
			t.Fatalf("backoff grew after stable live periods: %v", gaps)
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
