package session

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golive/media/engine"
	"golive/outputs/dest"
)

// fallbacks runs the fallback controllers (fallback.go) of the session's
// destinations: one goroutine, started by Initialize and waited for by
// Close.
type fallbacks struct {
	mu sync.Mutex
	// states are the controllers, by destination name.
	states map[string]*fbState
	done   chan struct{}
}

// fbState is one destination's controller and what the stats show of it.
type fbState struct {
	ctl *fallbackCtl
	// handler is the handler it follows: a destination restarted or
	// changed (a new handler, on its own rendition) starts over.
	handler *dest.Handler
	// own and fallback are the encoder ids of its rendition and its
	// fallback ("" when no running encoder makes it).
	own, fallback string
	note          string
}

// errFallbackGone: the destination was stopped or changed meanwhile.
var errFallbackGone = errors.New("the destination changed")

// startFallbacks starts the controller goroutine; it ends with ctx.
func (s *Session) startFallbacks(ctx context.Context) {
	s.fallbacks.states = map[string]*fbState{}
	s.fallbacks.done = everyTick(ctx, s.fallbackOnce)
}

// stopFallbacks waits for the controller goroutine (its context ended).
func (s *Session) stopFallbacks() {
	if s.fallbacks.done != nil {
		<-s.fallbacks.done
	}
}

// fallbackOnce gives every destination with a fallback one sample of its
// path, and makes the moves decided.
func (s *Session) fallbackOnce() {
	seen := map[string]bool{}
	for _, e := range s.snapshot() {
		if !e.active || e.out.Fallback == nil {
			continue
		}
		seen[e.out.Name] = true
		st := s.fallbackState(e)
		if st == nil {
			continue
		}
		if st.ctl.fallen && e.handler.WaitingKeyFrame() && s.onDemand(st.fallback) {
			// The old rendition's backlog overflowed the queue after the
			// move: resume at once rather than a GOP later (the encoder
			// gives at most one extra key frame a second).
			s.eng.RequestKeyFrameFor(st.fallback)
		}
		switch st.ctl.step(e.handler.Path()) {
		case fbFall:
			s.moveOutput(e, st, st.fallback)
		case fbReturn:
			s.moveOutput(e, st, st.own)
		}
	}
	s.fallbacks.mu.Lock()
	defer s.fallbacks.mu.Unlock()
	for name := range s.fallbacks.states {
		if !seen[name] {
			delete(s.fallbacks.states, name)
		}
	}
}

// fallbackState returns e's controller (a new one for a new handler); nil
// when the controller does not apply: adaptive bitrate follows the path
// of e's own encoder, or its fallback is its own encoder or not running.
func (s *Session) fallbackState(e *entry) *fbState {
	s.fallbacks.mu.Lock()
	st := s.fallbacks.states[e.out.Name]
	if st == nil || st.handler != e.handler {
		st = &fbState{ctl: newFallbackCtl(s.Fallback), handler: e.handler, own: e.encoder}
		if id, ok := s.findRendition(Output{Video: e.out.Fallback}, s.eng.Renditions); ok && id != e.encoder {
			st.fallback = id
		} else if !ok {
			s.Logger.Warn("fallback rendition not running: the destination drops frames instead when its path is short",
				"dest", e.out.Name, "hint", "go live again to run its encoder")
		}
		s.fallbacks.states[e.out.Name] = st
	}
	s.fallbacks.mu.Unlock()
	if st.fallback == "" || (!st.ctl.fallen && s.adaptOwns(e.out.Name, e.encoder)) {
		return nil
	}
	return st
}

// onDemand reports whether encoder id runs only for fallbacks.
func (s *Session) onDemand(id string) bool {
	for _, r := range s.eng.Renditions {
		if r.ID == id {
			return r.OnDemand
		}
	}
	return false
}

// adaptOwns reports whether the adaptive controller sets encoder id's
// bitrate for destination name.
func (s *Session) adaptOwns(name, id string) bool {
	s.adapt.mu.Lock()
	defer s.adapt.mu.Unlock()
	st := s.adapt.states[id]
	return st != nil && st.dest == name
}

// moveOutput moves e to encoder id (its fallback or back to its own) as
// st decided; if that cannot be done, the decision is taken back.
func (s *Session) moveOutput(e *entry, st *fbState, id string) {
	from := e.encoder
	err := s.control(e.out.Name, func(cur *entry) (*entry, error) {
		if cur.handler != e.handler || !cur.active {
			return nil, errFallbackGone
		}
		str := s.eng.RenditionStream(id)
		if str == nil || !cur.handler.MoveTo(str, func() { s.eng.RequestKeyFrameFor(id) }) {
			return nil, fmt.Errorf("encoder %q or the destination's stream has ended", id)
		}
		return &entry{out: cur.out, handler: cur.handler, active: true, encoder: id}, nil
	})
	s.fallbacks.mu.Lock()
	defer s.fallbacks.mu.Unlock()
	if err != nil {
		st.ctl.undo()
		if !errors.Is(err, errFallbackGone) && !errors.Is(err, ErrNotLive) {
			s.Logger.Warn("fallback: move failed", "dest", e.out.Name, "to", id, "err", err)
		}
		return
	}
	encs := s.eng.Encoders()
	if id == st.fallback {
		st.note = fmt.Sprintf("fallback: %s (path could not carry %s; it carried %.1f Mb/s); back after %s calm",
			encoderText(encs, id), encoderText(encs, from), st.ctl.carried/1e6, st.ctl.hold.Round(time.Second))
		s.Logger.Warn("fallback: path too slow for the destination's rendition, moved to its fallback",
			"dest", e.out.Name, "from", from, "to", id, "path_kbps", int(st.ctl.carried/1000))
		return
	}
	st.note = ""
	s.Logger.Info("fallback: back to the destination's own rendition", "dest", e.out.Name, "from", from, "to", id)
}

// encoderText describes encoder id for people: "720p30 2.5 Mb/s",
// "854x480@30 0.6 Mb/s".
func encoderText(encs []engine.EncoderStats, id string) string {
	for _, e := range encs {
		if e.ID != id {
			continue
		}
		size := fmt.Sprintf("%dx%d@%d", e.Width, e.Height, e.FPS)
		if e.Width*9 == e.Height*16 {
			size = fmt.Sprintf("%dp%d", e.Height, e.FPS)
		}
		return fmt.Sprintf("%s %.1f Mb/s", size, e.ConfiguredKbps/1000)
	}
	return id
}

// fallbackNote is what a destination's stats say about its fallback (""
// while it reads its own rendition).
func (s *Session) fallbackNote(name string) string {
	s.fallbacks.mu.Lock()
	defer s.fallbacks.mu.Unlock()
	if st := s.fallbacks.states[name]; st != nil {
		return st.note
	}
	return ""
}
