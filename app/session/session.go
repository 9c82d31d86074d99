// Package session wires a capture/encode engine to its destinations and
// runs them as one live stream: the controller that the command line and
// the window both drive. It does not import Fyne.
package session

import (
	"context"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"slices"
	"sync"
	"time"

	"golive/app/secret"
	"golive/media/encode"
	"golive/media/engine"
	"golive/media/stream"
	"golive/media/unit"
	"golive/outputs/dest"
)

// Output is one destination of a session.
type Output struct {
	// Name identifies the destination in every call (unique, not empty).
	Name string
	// Kind is "rtmp", "rtp" or "record" (more as protocols are added).
	Kind   string
	Worker dest.Worker
	// Reader configures the destination's queue (limits, codecs).
	Reader stream.ReaderConfig
	// AudioCodec is the audio codec the destination needs encoded.
	AudioCodec unit.Codec
	// MaxAudioPacket is the largest audio packet the destination can
	// carry (RTP: the payload the MTU leaves); 0: no limit.
	MaxAudioPacket int
	// Adaptive lets a destination alone on an encoder of its own set that
	// encoder's bitrate from what its path carries (adaptive.go).
	Adaptive bool
	// Video is the destination's own rendition (unset fields: the
	// engine's); nil reads the main encoder. Destinations with equal
	// renditions share one encoder.
	Video *engine.Rendition
	// Fallback is the rendition the destination moves to when its path
	// cannot carry its own (fallback.go); nil: none. Its encoder runs
	// only while a destination reads it.
	Fallback *engine.Rendition
}

// Config is everything a session needs to go live.
type Config struct {
	Engine engine.Config
	// Outputs are the destinations started with the stream. While live,
	// AddOutput, UpdateOutput, RemoveOutput, StartOutput and StopOutput
	// change the running set; Outputs itself is not updated.
	Outputs []Output
	// AudioCodecs are audio encoders to run besides those Outputs need,
	// so that destinations needing them can be added while live (an
	// encoder cannot be added to a running stream).
	AudioCodecs []unit.Codec
	Logger      *slog.Logger
	// Fallback shapes the fallback controller (zero: the defaults).
	Fallback FallbackTiming
	// DrainTimeout bounds how long Close waits for live outputs to
	// finish cleanly (trailers, FCUnpublish, RTCP BYE) before cancelling
	// them (default 750 ms): with the outputs' own cancellation grace, Close
	// ends within 2 s even when destinations hang.
	DrainTimeout time.Duration
}

// Session is one live stream: Initialize goes live, Close ends it.
type Session struct {
	Config

	eng     *engine.Engine
	cancel  context.CancelFunc
	done    chan struct{}
	started time.Time
	// opusLimit is the Opus encoder's packet limit (0: none).
	opusLimit int
	// encoderOf maps the outputs given at Initialize to their encoder id.
	encoderOf map[string]string
	// adapt runs the adaptive encoders' controllers, fallbacks the
	// destinations' moves to their fallback renditions.
	adapt     adaptive
	fallbacks fallbacks

	// ctl serialises the live-control calls and Close (see control.go);
	// closing is set, under ctl, once Close began.
	ctl     sync.Mutex
	closing bool

	// mu guards entries (replaced, never changed in place) and err.
	mu       sync.Mutex
	entries  []*entry
	err      error
	warnings []string
}

// Initialize opens the sources and encoders, starts every output and
// begins streaming.
func (s *Session) Initialize() error {
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	if s.DrainTimeout <= 0 {
		s.DrainTimeout = 750 * time.Millisecond
	}
	if err := s.checkOutputs(); err != nil {
		return secret.RedactError(err, nil)
	}
	ecfg := s.Engine
	ecfg.AudioCodecs = s.audioCodecs()
	ecfg.OpusMaxPacket = s.opusMaxPacket()
	s.opusLimit = ecfg.OpusMaxPacket
	ecfg.Logger = s.Logger
	ecfg.Renditions = s.planRenditions()
	s.warnCPU(estimate(s.Engine, ecfg.Renditions))
	s.adaptSendBuffer()
	s.eng = &engine.Engine{Config: ecfg}
	if err := s.eng.Initialize(); err != nil {
		return secret.RedactError(fmt.Errorf("starting the engine: %w", err), nil)
	}
	for _, o := range s.Outputs {
		id := s.encoderOf[o.Name]
		h, err := s.handlerFor(o, id)
		if err != nil {
			s.closeHandlers()
			s.eng.Close()
			return secret.RedactError(fmt.Errorf("starting output %q: %w", o.Name, err), nil)
		}
		s.entries = append(s.entries, &entry{out: o, handler: h, active: true, encoder: id})
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.done = make(chan struct{})
	s.started = time.Now()
	s.startAdaptive(ctx)
	s.startFallbacks(ctx)
	go s.run(ctx)
	return nil
}

// RestoreToken is the desktop portal's token for sharing the same monitor
// next time ("" when the source is not the portal).
func (s *Session) RestoreToken() string {
	if s.eng == nil {
		return ""
	}
	return s.eng.RestoreToken()
}

func (s *Session) checkOutputs() error {
	if len(s.Outputs) == 0 {
		return errors.New("no destination enabled: add or enable one")
	}
	seen := map[string]bool{}
	for _, o := range s.Outputs {
		if o.Worker == nil {
			return fmt.Errorf("output %q has no worker", o.Name)
		}
		if seen[o.Name] {
			return fmt.Errorf("two destinations are named %q: names must be unique", o.Name)
		}
		seen[o.Name] = true
		if c, ok := o.Worker.(dest.Checker); ok {
			if err := c.Check(); err != nil {
				return fmt.Errorf("destination %q: %w", o.Name, err)
			}
		}
		if err := s.checkAudioFits(o); err != nil {
			return err
		}
		s.checkSpace(o)
	}
	return nil
}

// checkAudioFits refuses, before going live, a destination whose packet
// size limit no Opus setting can meet at the chosen bitrate.
func (s *Session) checkAudioFits(o Output) error {
	if o.AudioCodec != unit.CodecOpus || o.MaxAudioPacket <= 0 {
		return nil
	}
	br := s.Engine.AudioBitrate
	if br == 0 {
		br = engine.DefaultAudioBitrate
	}
	if _, err := encode.OpusFit(br, o.MaxAudioPacket); err != nil {
		return fmt.Errorf("destination %q: %w", o.Name, err)
	}
	// Added while live: the running encoder must already fit it.
	if s.eng != nil && (s.opusLimit == 0 || s.opusLimit > o.MaxAudioPacket) {
		return fmt.Errorf("destination %q needs Opus packets of at most %d bytes, the running encoder is set for %s: %w",
			o.Name, o.MaxAudioPacket, opusLimitText(s.opusLimit), ErrNeedsRestart)
	}
	return nil
}

func opusLimitText(limit int) string {
	if limit == 0 {
		return "no limit"
	}
	return fmt.Sprintf("%d bytes", limit)
}

// opusMaxPacket is the smallest packet limit of the outputs carrying
// Opus: the one encoder serves them all.
func (s *Session) opusMaxPacket() int {
	limit := 0
	for _, o := range s.Outputs {
		if o.AudioCodec == unit.CodecOpus && o.MaxAudioPacket > 0 && (limit == 0 || o.MaxAudioPacket < limit) {
			limit = o.MaxAudioPacket
		}
	}
	return limit
}

// audioCodecs lists the audio encoders to run (those the outputs need
// and Config.AudioCodecs), in a stable order.
func (s *Session) audioCodecs() []unit.Codec {
	var out []unit.Codec
	for _, c := range s.AudioCodecs {
		if c != 0 && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	for _, o := range s.Outputs {
		if o.AudioCodec != 0 && !slices.Contains(out, o.AudioCodec) {
			out = append(out, o.AudioCodec)
		}
	}
	slices.Sort(out)
	return out
}

func (s *Session) run(ctx context.Context) {
	defer close(s.done)
	err := s.eng.Run(ctx)
	if err != nil {
		s.Logger.Error("stream ended by an engine error", "err", err)
		s.mu.Lock()
		s.err = err
		s.mu.Unlock()
	}
}

// Done is closed when the engine stops: Close was called, or a source or
// encoder failed (see Err).
func (s *Session) Done() <-chan struct{} { return s.done }

// Err returns the engine error that ended the stream, if any, with every
// registered secret hidden.
func (s *Session) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return secret.RedactError(s.err, nil)
}

// recordDrain bounds how long Close waits for a recording to finish.
const recordDrain = 5 * time.Second

// Close ends the stream cleanly: the engine stops, each output drains its
// queue and closes its connection or file, then everything is freed.
func (s *Session) Close() {
	s.ctl.Lock()
	s.closing = true
	s.ctl.Unlock()
	s.cancel()
	<-s.done
	s.stopAdaptive()
	s.stopFallbacks()
	// One deadline for every network output (a Done channel stays
	// closed, so the outputs after the first late one do not wait for
	// ever); a recording gets recordDrain to write its last packets and
	// its index: nothing recorded is cut short.
	drain, cancel := context.WithTimeout(context.Background(), s.DrainTimeout)
	defer cancel()
	keep, cancelKeep := context.WithTimeout(context.Background(), recordDrain)
	defer cancelKeep()
	for _, h := range s.activeHandlers() {
		if st := h.Status().State; st != dest.StateLive && st != dest.StateStopped {
			continue // connecting or waiting to retry: nothing to finish
		}
		d := drain
		if h.Kind == "record" {
			d = keep
		}
		select {
		case <-h.Done():
		case <-d.Done():
			s.Logger.Warn("output did not finish in time: cancelled", "dest", h.Name)
		}
	}
	s.closeHandlers()
	s.eng.Close()
}

// closeHandlers cancels every output at once and waits for them all: a
// hung destination's grace does not add to another's.
func (s *Session) closeHandlers() {
	var wg sync.WaitGroup
	for _, h := range s.activeHandlers() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.Close()
		}()
	}
	wg.Wait()
}

// RetryNow makes the named destination retry at once and starts its
// backoff over; false when there is no such running destination.
func (s *Session) RetryNow(name string) bool {
	e := s.find(name)
	if e == nil || !e.active {
		return false
	}
	e.handler.RetryNow()
	return true
}

// Tracks returns the codec parameters of the running stream.
func (s *Session) Tracks() unit.Tracks { return s.eng.Stream().Tracks() }

// Preview returns the latest captured picture, scaled down for display;
// false before the first frame.
func (s *Session) Preview() (*image.RGBA, bool) { return s.eng.Preview() }

// SetMuted silences the audio sent to every destination, or restores it.
func (s *Session) SetMuted(muted bool) { s.eng.SetMuted(muted) }
