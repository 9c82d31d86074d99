package dest

import (
	"context"
	"errors"
	"log/slog"
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

// Noter is implemented by workers that can warn about a destination that
// works but misbehaves (Status.Note).
type Noter interface {
	Note() string
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
	// tcp reads the current connection's acknowledged and
	// unacknowledged bytes (set by workers that can tell, see SetTCP).
	tcp atomic.Pointer[func() (acked, unacked uint64, ok bool)]
	// path reads the current connection's own figures (see SetPath).
	path atomic.Pointer[func() (PathFigures, bool)]
}

// PathFigures are what a worker's transport knows of its path beyond the
// bytes handed to it: an adaptive encoder's controller reads them.
type PathFigures struct {
	// Acked and Unacked are as in PathSample, when HasAcked (SRT: the
	// bytes the listener acknowledged and those in libsrt's send buffer).
	Acked, Unacked uint64
	HasAcked       bool
	// Estimate is the path's own estimate of the rate it carries (bps;
	// WHIP: the GCC target from TWCC feedback), 0 when it has none.
	Estimate uint64
	// Sent and Lost count the packets sent on the connection
	// (retransmissions included) and those lost on the way or given up
	// on by the sender (SRT's NAK-reported and too-late dropped packets).
	Sent, Lost uint64
}

// SetPath registers how to read the current connection's PathFigures
// (ok false while it cannot tell); nil when the connection ends. It is
// the transport-neutral form of SetTCP: WHIP gives its congestion
// controller's estimate, SRT its send buffer and losses.
func (c *Counters) SetPath(f func() (PathFigures, bool)) {
	if f == nil {
		c.path.Store(nil)
		return
	}
	c.path.Store(&f)
}

// SetTCP registers how to read what the peer of the current TCP
// connection acknowledged (bytes since it opened) and what the socket
// still holds unacknowledged; nil when the connection ends. An adaptive
// encoder measures its path with it: the bytes handed to a socket include
// those filling its buffer.
func (c *Counters) SetTCP(f func() (acked, unacked uint64, ok bool)) {
	if f == nil {
		c.tcp.Store(nil)
		return
	}
	c.tcp.Store(&f)
}

// PathSample is one reading of what a destination's path carries (see
// Handler.Path).
type PathSample struct {
	At   time.Time
	Live bool
	// Written counts the bytes handed to the network. Acked counts those
	// the peer acknowledged on the current connection and Unacked those
	// still waiting for it (Written and 0 when the worker cannot tell).
	Written, Acked, Unacked uint64
	// Queue is the media waiting in the destination's queue; Dropped
	// counts the video frames it dropped.
	Queue   time.Duration
	Dropped uint64
	// Estimate, Sent and Lost are the worker's PathFigures (0 when it
	// has none).
	Estimate, Sent, Lost uint64
}

// Path reads what the destination's path carries now: an adaptive
// encoder's controller samples it a few times a second.
func (h *Handler) Path() PathSample {
	rs := h.reader.Stats()
	written := h.counters.Bytes.Load()
	acked, unacked := written, uint64(0)
	if f := h.counters.tcp.Load(); f != nil {
		if a, u, ok := (*f)(); ok {
			acked, unacked = a, u
		}
	}
	var pf PathFigures
	if f := h.counters.path.Load(); f != nil {
		var ok bool
		if pf, ok = (*f)(); ok && pf.HasAcked {
			acked, unacked = pf.Acked, pf.Unacked
		}
	}
	h.mu.Lock()
	live := h.state == StateLive
	h.mu.Unlock()
	return PathSample{At: time.Now(), Live: live, Written: written, Acked: acked, Unacked: unacked,
		Queue: rs.Queued, Dropped: rs.DroppedVideo, Estimate: pf.Estimate, Sent: pf.Sent, Lost: pf.Lost}
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
	// StableLive is how long a connection must stay live for the backoff
	// to start again from FirstRetry (default 60 s): a server that drops
	// the stream soon after accepting it gets ever longer waits, not a
	// reconnect storm.
	StableLive time.Duration
	// ProbeInterval is how often a Prober is probed while waiting (1 s).
	ProbeInterval time.Duration
	// KeyFrame, when set, asks the encoder for a key frame (rate-limited
	// by the encoder): called before each reconnect attempt, so that the
	// destination does not wait a whole GOP for its first picture.
	KeyFrame func()
	Logger   *slog.Logger

	// random returns a uniform number in [0, 1) for the jitter, and
	// waitTimer starts the timer of a wait between attempts (its channel
	// and stop function; probing tells whether the wait probes the
	// server); nil: math/rand/v2 and a real timer. Tests replace them to
	// see the real delays without waiting for them.
	random    func() float64
	waitTimer func(d time.Duration, probing bool) (<-chan time.Time, func() bool)

	reader *stream.Reader
	// keyFrame is KeyFrame, or that of the encoder moved to (MoveTo).
	keyFrame atomic.Pointer[func()]
	counters Counters
	retryNow chan struct{}
	// retried is set by RetryNow: the next wait starts the backoff over.
	retried atomic.Bool
	cancel  context.CancelFunc
	done    chan struct{}
	rates   rateMeter
	cpu     cpuMeter

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
	if h.StableLive <= 0 {
		h.StableLive = time.Minute
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
	if h.KeyFrame != nil {
		kf := h.KeyFrame
		h.keyFrame.Store(&kf)
	}
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
	// The sender's own thread: its CPU time is the destination's (cpu.go).
	unlock := h.cpu.lock()
	defer unlock()
	b := backoff{delay: h.FirstRetry}
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			h.mu.Lock()
			h.reconnects++
			h.mu.Unlock()
			h.reader.SkipToKeyframe()
			h.requestKeyFrame()
		}
		h.setState(StateConnecting, nil, time.Time{})
		var liveAt time.Time
		sess := &Session{Tracks: h.reader.Tracks(), Reader: h.reader, Counters: &h.counters, keyFrame: h.requestKeyFrame, live: func() {
			liveAt = time.Now()
			h.setState(StateLive, nil, time.Time{})
			h.Logger.Info("destination live")
		}}
		err := h.Worker.Run(ctx, sess)
		if ctx.Err() != nil || errors.Is(err, stream.ErrClosed) {
			h.setState(StateStopped, nil, time.Time{})
			return
		}
		if err == nil {
			err = errors.New("connection ended")
		}
		err = h.afterAttempt(&b, liveAt, err)
		wait, state := h.nextDelay(err, b.delay)
		next := time.Now().Add(wait)
		if WaitsForUser(err) {
			h.Logger.Warn("destination error: waiting for the user to retry", "err", err)
			next = time.Time{}
		} else {
			h.Logger.Warn("destination error", "err", err, "retry_in", wait.Round(time.Millisecond))
		}
		h.setState(state, err, next)
		probe := state == StateReconnecting && IsUnreachable(err)
		if !h.wait(ctx, wait, probe, &b.seenDown) {
			if !WaitsForUser(err) { // a failure the user must act on stays shown
				h.setState(StateStopped, nil, time.Time{})
			}
			return
		}
		switch {
		case h.retried.Swap(false):
			b.delay = h.FirstRetry
		case !IsFatal(err):
			b.delay = min(time.Duration(float64(b.delay)*h.RetryFactor), h.MaxRetry)
		}
	}
}

// Status returns a snapshot for the UI and stats.
func (h *Handler) Status() Status {
	now := time.Now()
	rs := h.reader.Stats()
	bytes := h.counters.Bytes.Load()
	r1, r10 := h.rates.sample(now, bytes)
	cpu := h.cpu.sample(now)
	h.mu.Lock()
	defer h.mu.Unlock()
	st := Status{
		Name: h.Name, Kind: h.Kind, State: h.state, NextTry: h.nextTry,
		LastError: h.lastErr, Reconnects: h.reconnects,
		Bytes: bytes, BitrateKbps: r1 / 1000, Bitrate10s: r10 / 1000,
		FramesSent: h.counters.FramesSent.Load(),
		QueueMs:    float64(rs.Queued) / float64(time.Millisecond),
		Dropped:    rs.DroppedVideo, DroppedAudio: rs.DroppedAudio, CPU: cpu,
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
	if n, ok := h.Worker.(Noter); ok {
		st.Note = n.Note()
	}
	return st
}
