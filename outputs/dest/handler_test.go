package dest

import (
	"context"
	"errors"
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
