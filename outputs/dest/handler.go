package dest

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"golive/media/stream"
	"golive/media/unit"
)

// Worker is one destination's protocol. Run connects, calls Session.Live
// once the destination accepts media, then sends what it reads from
// Session.Reader until ctx ends (return ctx.Err() or nil) or something
// fails (return the error; wrap with Fatal when retrying cannot help).
type Worker interface {
	Run(ctx context.Context, s *Session) error
}

// Prober is implemented by workers that can cheaply check whether their
// server is reachable again (a TCP connect). While waiting to retry, the
// handler probes every ProbeInterval and retries at once on success, so a
// returning server is picked up quickly without full reconnects.
type Prober interface {
	Probe(ctx context.Context) error
}

// DetailReporter is implemented by workers with protocol-specific stats.
type DetailReporter interface {
	Detail() map[string]any
}

// Session is what a Worker gets for one connection attempt.
type Session struct {
	// Tracks are the codec parameters of the published stream.
	Tracks unit.Tracks
	Reader *stream.Reader
	// Counters are shared by every attempt of the same destination.
	Counters *Counters
	live     func()
	keyFrame func()
}

// Live reports that the destination is accepting media.
func (s *Session) Live() { s.live() }

// RequestKeyFrame asks the encoder feeding the destination for a key
// frame (a receiver's PLI or FIR); the encoder rate-limits. A no-op when
// the handler has no KeyFrame function.
func (s *Session) RequestKeyFrame() {
	if s.keyFrame != nil {
		s.keyFrame()
	}
}

// Counters are updated by workers as they send.
type Counters struct {
	Bytes      atomic.Uint64
	FramesSent atomic.Uint64
}

// Handler runs a Worker until closed, reconnecting with backoff.
type Handler struct {
	Name   string
	Kind   string
	Worker Worker
	// Stream is what the destination publishes.
	Stream *stream.Stream
	// Reader is the subscription configuration (queue limits, codecs).
	Reader stream.ReaderConfig
	// FirstRetry, RetryFactor, MaxRetry shape the backoff (2 s, 1.5, 60 s).
	FirstRetry  time.Duration
	RetryFactor float64
	MaxRetry    time.Duration
	// FatalRetry is the delay after a fatal error (default 5 min).
	FatalRetry time.Duration
	// FatalGrace is how long after losing a live connection a fatal
	// error is still retried with the normal backoff (default 60 s): the
	// server may not have noticed the old connection died yet and refuse
	// the new one ("stream already publishing").
	FatalGrace time.Duration
	// ProbeInterval is how often a Prober is probed while waiting (1 s).
	ProbeInterval time.Duration
	// KeyFrame, when set, asks the encoder for a key frame (rate-limited
	// by the encoder): called before each reconnect attempt, so that the
	// destination does not wait a whole GOP for its first picture.
	KeyFrame func()
	Logger   *slog.Logger

	reader   *stream.Reader
	counters Counters
	retryNow chan struct{}
	// retried is set by RetryNow: the next wait starts the backoff over.
	retried atomic.Bool
	cancel  context.CancelFunc
	done    chan struct{}
	rates   rateMeter

	mu         sync.Mutex
	state      State
	lastErr    string
	nextTry    time.Time
	liveSince  time.Time
	reconnects uint64
}

// Initialize fills defaults, subscribes to the stream and starts the
// handler's goroutine.
func (h *Handler) Initialize() error {
	if h.Worker == nil || h.Stream == nil {
		return errors.New("destination handler needs a worker and a stream")
	}
	if h.FirstRetry <= 0 {
		h.FirstRetry = 2 * time.Second
	}
	if h.RetryFactor < 1 {
		h.RetryFactor = 1.5
	}
	if h.MaxRetry <= 0 {
		h.MaxRetry = 60 * time.Second
	}
	if h.FatalRetry <= 0 {
		h.FatalRetry = 5 * time.Minute
	}
	if h.FatalGrace <= 0 {
		h.FatalGrace = time.Minute
	}
	if h.ProbeInterval <= 0 {
		h.ProbeInterval = time.Second
	}
	if h.Logger == nil {
		h.Logger = slog.Default()
	}
	h.Logger = h.Logger.With("dest", h.Name, "kind", h.Kind)
	if h.Reader.Name == "" {
		h.Reader.Name = h.Name
	}
	h.reader = h.Stream.Subscribe(h.Reader)
	h.retryNow = make(chan struct{}, 1)
	h.done = make(chan struct{})
	h.state = StateIdle
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go h.run(ctx)
	return nil
}

// Close stops the worker and waits for it to exit.
func (h *Handler) Close() {
	h.cancel()
	<-h.done
	h.reader.Close()
}

// Done is closed once the handler has stopped.
func (h *Handler) Done() <-chan struct{} { return h.done }

// RetryNow skips the wait before the next connection attempt and starts
// the backoff over: if that attempt fails too, the next wait is
// FirstRetry again, not a longer one.
func (h *Handler) RetryNow() {
	h.retried.Store(true)
	select {
	case h.retryNow <- struct{}{}:
	default:
	}
}

func (h *Handler) setState(s State, err error, next time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.state = s
	h.nextTry = next
	if err != nil {
		h.lastErr = err.Error()
	}
	if s == StateLive {
		h.liveSince = time.Now()
		h.lastErr = ""
	} else {
		h.liveSince = time.Time{}
	}
}

func (h *Handler) run(ctx context.Context) {
	defer close(h.done)
	delay := h.FirstRetry
	var lostLive time.Time // when a live connection was last lost
	seenDown := false      // a probe failed since the destination was last live
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			h.mu.Lock()
			h.reconnects++
			h.mu.Unlock()
			h.reader.SkipToKeyframe()
			if h.KeyFrame != nil {
				h.KeyFrame()
			}
		}
		h.setState(StateConnecting, nil, time.Time{})
		wasLive := false
		sess := &Session{Tracks: h.Stream.Tracks(), Reader: h.reader, Counters: &h.counters, keyFrame: h.KeyFrame, live: func() {
			wasLive = true
			h.setState(StateLive, nil, time.Time{})
			h.Logger.Info("destination live")
		}}
		err := h.Worker.Run(ctx, sess)
		if ctx.Err() != nil {
			h.setState(StateStopped, nil, time.Time{})
			return
		}
		if errors.Is(err, stream.ErrClosed) {
			h.setState(StateStopped, nil, time.Time{})
			return
		}
		if err == nil {
			err = errors.New("connection ended")
		}
		if wasLive {
			delay = h.FirstRetry
			lostLive = time.Now()
			seenDown = false
		}
		if IsFatal(err) && !isLocal(err) && !lostLive.IsZero() && time.Since(lostLive) < h.FatalGrace {
			// Probably our own previous connection, still held by the
			// server: retry normally for a while before giving up.
			err = errors.Unwrap(err)
		}
		wait, state := h.nextDelay(err, delay)
		h.Logger.Warn("destination error", "err", err, "retry_in", wait.Round(time.Millisecond))
		h.setState(state, err, time.Now().Add(wait))
		if !h.wait(ctx, wait, state == StateReconnecting, &seenDown) {
			h.setState(StateStopped, nil, time.Time{})
			return
		}
		switch {
		case h.retried.Swap(false):
			delay = h.FirstRetry
		case !IsFatal(err):
			delay = min(time.Duration(float64(delay)*h.RetryFactor), h.MaxRetry)
		}
	}
}

// nextDelay returns the wait before the next attempt, with ±10% jitter.
func (h *Handler) nextDelay(err error, delay time.Duration) (time.Duration, State) {
	if IsFatal(err) {
		return h.FatalRetry, StateFailed
	}
	jitter := 0.9 + 0.2*rand.Float64()
	return time.Duration(float64(delay) * jitter), StateReconnecting
}

// wait sleeps for d, returning early (true) on RetryNow or a successful
// probe, and false when ctx ends. A successful probe shortens the wait
// only once a probe saw the server unreachable (*seenDown, kept across
// attempts): a server that accepts connections and then refuses or drops
// the stream must not be retried every ProbeInterval.
func (h *Handler) wait(ctx context.Context, d time.Duration, probe bool, seenDown *bool) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	var tick <-chan time.Time
	prober, canProbe := h.Worker.(Prober)
	if probe && canProbe {
		t := time.NewTicker(h.ProbeInterval)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return false
		case <-timer.C:
			return true
		case <-h.retryNow:
			return true
		case <-tick:
			pctx, cancel := context.WithTimeout(ctx, h.ProbeInterval)
			err := prober.Probe(pctx)
			cancel()
			if err != nil {
				*seenDown = true
			} else if *seenDown {
				h.Logger.Info("destination reachable again")
				return true
			}
		}
	}
}

// Status returns a snapshot for the UI and stats.
func (h *Handler) Status() Status {
	now := time.Now()
	rs := h.reader.Stats()
	bytes := h.counters.Bytes.Load()
	r1, r10 := h.rates.sample(now, bytes)
	h.mu.Lock()
	defer h.mu.Unlock()
	st := Status{
		Name: h.Name, Kind: h.Kind, State: h.state, NextTry: h.nextTry,
		LastError: h.lastErr, Reconnects: h.reconnects,
		Bytes: bytes, BitrateKbps: r1 / 1000, Bitrate10s: r10 / 1000,
		FramesSent: h.counters.FramesSent.Load(),
		QueueMs:    float64(rs.Queued) / float64(time.Millisecond),
		Dropped:    rs.DroppedVideo, DroppedAudio: rs.DroppedAudio,
	}
	if !h.nextTry.IsZero() {
		st.RetryInS = max(0, h.nextTry.Sub(now).Seconds())
	}
	if !h.liveSince.IsZero() {
		st.UptimeS = now.Sub(h.liveSince).Seconds()
	}
	if d, ok := h.Worker.(DetailReporter); ok {
		st.Detail = d.Detail()
	}
	return st
}
