package session

import (
	"errors"
	"fmt"
	"slices"

	"golive/outputs/dest"
)

// Live control: the calls below change one destination of a running
// session without touching the others. The command line, the window and a
// remote API all use them. They are safe from any goroutine; they are
// serialised with each other and with Close. Each returns ErrNotLive once
// the stream has ended (or before Initialize), and wraps ErrNoOutput for
// an unknown name.
//
// A destination started while live (StartOutput, AddOutput, UpdateOutput)
// subscribes a new reader to the stream, which begins at the next video key
// frame, and asks the encoder for one (rate-limited to one extra key frame
// a second): it is on air within about a second plus its connection time.
// Stopping or removing one closes only its handler (the protocol's clean
// goodbye, such as RTMP FCUnpublish, is sent); the others do not lose a
// packet.

var (
	// ErrNotLive is returned by the live-control calls when the session is
	// not running.
	ErrNotLive = errors.New("the stream is not live")
	// ErrNoOutput is wrapped by the errors of calls naming a destination
	// the session does not have.
	ErrNoOutput = errors.New("no such destination")
	// ErrOutputExists is wrapped by AddOutput's error for a name in use.
	ErrOutputExists = errors.New("a destination of that name exists")
	// ErrNeedsRestart is wrapped by the errors of changes the running
	// encoders cannot serve (an audio codec no encoder produces): end the
	// stream and go live again to apply them.
	ErrNeedsRestart = errors.New("needs a new encoder: end the stream to apply it")
)

// entry is one destination of the session: its configuration, and its
// handler (running while active; after StopOutput, the closed handler
// keeps the final figures until the destination is started again).
type entry struct {
	out     Output
	handler *dest.Handler
	active  bool
	// encoder is the id of the video encoder it reads.
	encoder string
}

// OutputInfo describes one destination of a running session, for a
// remote API or a status display.
type OutputInfo struct {
	Name string `json:"name"`
	// Kind is the protocol: "rtmp", "rtp", "record", ...
	Kind string `json:"kind"`
	// Active is false after StopOutput, until StartOutput.
	Active bool `json:"active"`
	// Status is the handler's state and figures (bytes, bitrate, drops).
	Status dest.Status `json:"status"`
}

// Live reports whether the stream is running: Initialize succeeded and
// neither Close nor an engine error ended it.
func (s *Session) Live() bool {
	if s.done == nil {
		return false
	}
	select {
	case <-s.done:
		return false
	default:
		return true
	}
}

// OutputNames returns the names of the session's destinations, in the
// order they were added.
func (s *Session) OutputNames() []string {
	entries := s.snapshot()
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.out.Name
	}
	return names
}

// OutputList lists every destination with its kind, whether it is started,
// and its status, in the order they were added.
func (s *Session) OutputList() []OutputInfo {
	entries := s.snapshot()
	out := make([]OutputInfo, len(entries))
	for i, e := range entries {
		out[i] = e.info()
	}
	return out
}

// Output returns the named destination; false when there is none.
func (s *Session) Output(name string) (OutputInfo, bool) {
	e := s.find(name)
	if e == nil {
		return OutputInfo{}, false
	}
	return e.info(), true
}

func (e *entry) info() OutputInfo {
	st := e.handler.Status()
	st.Encoder = e.encoder
	return OutputInfo{Name: e.out.Name, Kind: e.out.Kind, Active: e.active, Status: st}
}

// StartOutput starts a stopped destination again (with new counters).
// Starting a running one does nothing.
func (s *Session) StartOutput(name string) error {
	return s.control(name, func(e *entry) (*entry, error) {
		if e.active {
			return e, nil
		}
		return s.startEntry(e.out)
	})
}

// StopOutput stops one destination and keeps it, stopped, in the session
// (its last figures stay readable); StartOutput starts it again. Stopping
// a stopped one does nothing.
func (s *Session) StopOutput(name string) error {
	return s.control(name, func(e *entry) (*entry, error) {
		if e.active {
			e.handler.Close()
		}
		return &entry{out: e.out, handler: e.handler, encoder: e.encoder}, nil
	})
}

// AddOutput adds a destination to the running stream and starts it. Its
// configuration is checked first (dest.Checker), and its audio codec must
// be one the stream already encodes (else ErrNeedsRestart).
func (s *Session) AddOutput(o Output) error {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	if err := s.canChange(); err != nil {
		return err
	}
	if s.find(o.Name) != nil {
		return fmt.Errorf("destination %q: %w", o.Name, ErrOutputExists)
	}
	e, err := s.startEntry(o)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.entries = append(slices.Clone(s.entries), e)
	s.mu.Unlock()
	return nil
}

// UpdateOutput replaces the configuration of the destination named
// o.Name (a new key, URL, CA file or pin...). A running destination is
// restarted with it, a stopped one stays stopped. On error the old
// configuration is kept and, if it was running, keeps running.
func (s *Session) UpdateOutput(o Output) error {
	return s.control(o.Name, func(e *entry) (*entry, error) {
		if !e.active {
			if err := s.checkOutput(o); err != nil {
				return nil, err
			}
			return &entry{out: o, handler: e.handler, encoder: e.encoder}, nil
		}
		if err := s.checkOutput(o); err != nil {
			return nil, err
		}
		if _, err := s.encoderFor(o); err != nil {
			return nil, err
		}
		e.handler.Close()
		n, err := s.startEntry(o)
		if err != nil { // checked above: only a failing Initialize
			return &entry{out: e.out, handler: e.handler}, err
		}
		return n, nil
	})
}

// RemoveOutput stops a destination and removes it from the session.
func (s *Session) RemoveOutput(name string) error {
	return s.control(name, func(e *entry) (*entry, error) {
		if e.active {
			e.handler.Close()
		}
		return nil, nil
	})
}

// RequestKeyFrame asks the video encoder for a key frame, rate-limited to
// one extra key frame a second (for example for a receiver's picture-loss
// report). A no-op when the stream is not live.
func (s *Session) RequestKeyFrame() {
	if s.Live() {
		s.eng.RequestKeyFrame()
	}
}

// control runs change on the named entry under ctl and stores what it
// returns: a replacement entry, or nil to remove it. On error with a nil
// entry nothing changes.
func (s *Session) control(name string, change func(*entry) (*entry, error)) error {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	if err := s.canChange(); err != nil {
		return err
	}
	e := s.find(name)
	if e == nil {
		return fmt.Errorf("destination %q: %w", name, ErrNoOutput)
	}
	n, err := change(e)
	if err != nil && n == nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.Index(s.entries, e)
	if n == nil {
		s.entries = slices.Delete(slices.Clone(s.entries), i, i+1)
	} else {
		s.entries = slices.Clone(s.entries)
		s.entries[i] = n
	}
	return err
}

// canChange returns ErrNotLive unless the stream runs and Close has not
// begun; ctl is held.
func (s *Session) canChange() error {
	if s.closing || !s.Live() {
		return ErrNotLive
	}
	return nil
}

// startEntry checks o and starts its handler, asking for a key frame.
func (s *Session) startEntry(o Output) (*entry, error) {
	if err := s.checkOutput(o); err != nil {
		return nil, err
	}
	id, err := s.encoderFor(o)
	if err != nil {
		return nil, err
	}
	h, err := s.handlerFor(o, id)
	if err != nil {
		return nil, fmt.Errorf("starting destination %q: %w", o.Name, err)
	}
	s.eng.RequestKeyFrameFor(id)
	return &entry{out: o, handler: h, active: true, encoder: id}, nil
}

// checkOutput checks one destination added or changed while live.
func (s *Session) checkOutput(o Output) error {
	if o.Name == "" {
		return errors.New("a destination needs a name")
	}
	if o.Worker == nil {
		return fmt.Errorf("destination %q has no worker", o.Name)
	}
	if o.AudioCodec != 0 && s.eng.Stream().Tracks().AudioFor(o.AudioCodec) == nil {
		return fmt.Errorf("destination %q needs %s audio, which this stream does not encode: %w",
			o.Name, o.AudioCodec, ErrNeedsRestart)
	}
	if c, ok := o.Worker.(dest.Checker); ok {
		if err := c.Check(); err != nil {
			return fmt.Errorf("destination %q: %w", o.Name, err)
		}
	}
	return s.checkAudioFits(o)
}

// snapshot returns the current entries (never changed in place).
func (s *Session) snapshot() []*entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.entries
}

func (s *Session) find(name string) *entry {
	for _, e := range s.snapshot() {
		if e.out.Name == name {
			return e
		}
	}
	return nil
}

// activeHandlers returns the handlers of the running destinations.
func (s *Session) activeHandlers() []*dest.Handler {
	var hs []*dest.Handler
	for _, e := range s.snapshot() {
		if e.active {
			hs = append(hs, e.handler)
		}
	}
	return hs
}
