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

	"golive/media/engine"
	"golive/media/stream"
	"golive/media/unit"
	"golive/outputs/dest"
)

// Output is one destination of a session.
type Output struct {
	Name string
	// Kind is "rtmp", "rtp" or "record".
	Kind   string
	Worker dest.Worker
	// Reader configures the destination's queue (limits, codecs).
	Reader stream.ReaderConfig
	// AudioCodec is the audio codec the destination needs encoded.
	AudioCodec unit.Codec
}

// Config is everything a session needs to go live.
type Config struct {
	Engine  engine.Config
	Outputs []Output
	Logger  *slog.Logger
	// DrainTimeout bounds how long Close waits for outputs to finish
	// cleanly (trailers, FCUnpublish, RTCP BYE) before cancelling them.
	DrainTimeout time.Duration
}

// Session is one live stream: Initialize goes live, Close ends it.
type Session struct {
	Config

	eng      *engine.Engine
	handlers []*dest.Handler
	cancel   context.CancelFunc
	done     chan struct{}
	started  time.Time

	mu  sync.Mutex
	err error
}

// Initialize opens the sources and encoders, starts every output and
// begins streaming.
func (s *Session) Initialize() error {
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	if s.DrainTimeout <= 0 {
		s.DrainTimeout = 5 * time.Second
	}
	if err := s.checkOutputs(); err != nil {
		return err
	}
	ecfg := s.Engine
	ecfg.AudioCodecs = s.audioCodecs()
	ecfg.Logger = s.Logger
	s.eng = &engine.Engine{Config: ecfg}
	if err := s.eng.Initialize(); err != nil {
		return fmt.Errorf("starting the engine: %w", err)
	}
	for _, o := range s.Outputs {
		h := &dest.Handler{Name: o.Name, Kind: o.Kind, Worker: o.Worker,
			Stream: s.eng.Stream(), Reader: o.Reader, Logger: s.Logger}
		if err := h.Initialize(); err != nil {
			s.closeHandlers()
			s.eng.Close()
			return fmt.Errorf("starting output %q: %w", o.Name, err)
		}
		s.handlers = append(s.handlers, h)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.done = make(chan struct{})
	s.started = time.Now()
	go s.run(ctx)
	return nil
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
	}
	return nil
}

// audioCodecs lists the audio encoders the outputs need, in a stable order.
func (s *Session) audioCodecs() []unit.Codec {
	var out []unit.Codec
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

// Err returns the engine error that ended the stream, if any.
func (s *Session) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close ends the stream cleanly: the engine stops, each output drains its
// queue and closes its connection or file, then everything is freed.
func (s *Session) Close() {
	s.cancel()
	<-s.done
	// One deadline for every output: a Done channel stays closed, so the
	// outputs after the first late one do not wait for ever.
	drain, cancel := context.WithTimeout(context.Background(), s.DrainTimeout)
	defer cancel()
	for _, h := range s.handlers {
		if st := h.Status().State; st == dest.StateReconnecting || st == dest.StateFailed {
			continue // waiting to retry: nothing to finish
		}
		select {
		case <-h.Done():
		case <-drain.Done():
			s.Logger.Warn("output did not finish in time: cancelled", "dest", h.Name)
		}
	}
	s.closeHandlers()
	s.eng.Close()
}

func (s *Session) closeHandlers() {
	for _, h := range s.handlers {
		h.Close()
	}
}

// RetryNow makes the named destination retry at once; false when there
// is no such destination.
func (s *Session) RetryNow(name string) bool {
	for _, h := range s.handlers {
		if h.Name == name {
			h.RetryNow()
			return true
		}
	}
	return false
}

// Tracks returns the codec parameters of the running stream.
func (s *Session) Tracks() unit.Tracks { return s.eng.Stream().Tracks() }

// Preview returns the latest captured picture, scaled down for display;
// false before the first frame.
func (s *Session) Preview() (*image.RGBA, bool) { return s.eng.Preview() }

// SetMuted silences the audio sent to every destination, or restores it.
func (s *Session) SetMuted(muted bool) { s.eng.SetMuted(muted) }
