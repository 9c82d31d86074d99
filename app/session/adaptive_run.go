package session

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golive/media/engine"
	"golive/outputs/rtmp"
)

// adaptState is the controller of one adaptive encoder and what the
// stats show of it.
type adaptState struct {
	dest string
	abr  *abr
}

// adaptive holds the running controllers, by encoder id.
type adaptive struct {
	mu     sync.Mutex
	states map[string]*adaptState
	// fixed names the adaptive destinations whose encoder cannot change
	// its bitrate while live (by destination: the encoder's name).
	fixed map[string]string
	done  chan struct{}
}

// adaptSendBuffer gives an adaptive RTMP destination alone on its own
// encoder, and one with a fallback rendition, a socket send buffer of
// about half (a fallback: a quarter of) a second at its bitrate (at least
// 64 KiB; Linux doubles it)
// instead of 512 KiB, seconds of media at these rates: the viewers' delay
// stays short, a path that cannot carry the stream shows in the
// destination's queue within a second or so (where the controllers read
// it), and there is still room for what the encoder makes in the second
// it takes to follow a lower bitrate or move to the fallback before the
// queue drops frames.
func (s *Session) adaptSendBuffer() {
	readers := map[string]int{}
	for _, id := range s.encoderOf {
		readers[id]++
	}
	for _, o := range s.Outputs {
		id := s.encoderOf[o.Name]
		alone := id != engine.MainID && readers[id] == 1
		p, ok := o.Worker.(*rtmp.Publisher)
		follows := (o.Adaptive && alone && o.Video != nil) || o.Fallback != nil
		if !ok || p.SendBuffer != 0 || !follows {
			continue
		}
		v := engine.Rendition{}
		if o.Video != nil {
			v = *o.Video
		}
		r, _ := s.Engine.Place(v)
		div := 2
		if o.Fallback != nil {
			div = 4 // the old rendition's backlog delays the fallback's
		}
		p.SendBuffer = max(64*1024, r.VideoBitrate/8/div)
	}
}

// startAdaptive starts the controller goroutine; Close stops it.
func (s *Session) startAdaptive(ctx context.Context) {
	s.adapt.states = map[string]*adaptState{}
	s.adapt.fixed = map[string]string{}
	s.adapt.done = everyTick(ctx, s.adaptOnce)
}

// everyTick runs once every adaptTick on a goroutine of its own until ctx
// ends; the returned channel is closed when that goroutine has returned.
// The adaptive and the fallback controllers run on it.
func everyTick(ctx context.Context, once func()) chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(adaptTick)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				once()
			}
		}
	}()
	return done
}

// adaptOnce gives every adaptive encoder one sample of its destination's
// path. An encoder whose destination left it, or that another destination
// now shares, goes back to its configured bitrate.
func (s *Session) adaptOnce() {
	readers := map[string][]*entry{}
	for _, e := range s.snapshot() {
		if e.active {
			readers[e.encoder] = append(readers[e.encoder], e)
		}
	}
	audio := s.Engine.AudioBitrate
	if audio == 0 {
		audio = engine.DefaultAudioBitrate
	}
	s.adapt.mu.Lock()
	defer s.adapt.mu.Unlock()
	for _, enc := range s.eng.Encoders() {
		es := readers[enc.ID]
		st := s.adapt.states[enc.ID]
		own := enc.ID != engine.MainID && len(es) == 1 && es[0].out.Adaptive
		if own && !enc.LiveBitrate {
			s.adapt.fixed[es[0].out.Name] = enc.Encoder
		}
		if !own || !enc.LiveBitrate || (st != nil && st.dest != es[0].out.Name) {
			if st != nil {
				s.setBitrate(enc.ID, st.dest, st.abr.configured, "why", "no longer its own encoder")
				delete(s.adapt.states, enc.ID)
			}
			continue
		}
		if st == nil {
			configured := int(enc.ConfiguredKbps * 1000)
			st = &adaptState{dest: es[0].out.Name, abr: newABR(configured, audio, time.Now())}
			s.adapt.states[enc.ID] = st
		}
		if n := st.abr.step(es[0].handler.Path()); n != 0 {
			s.setBitrate(enc.ID, st.dest, n, "path_kbps", int(st.abr.delivered/1000), "backlog", st.abr.lastBacklog.Round(time.Millisecond))
		}
	}
}

func (s *Session) setBitrate(id, dest string, bps int, why ...any) {
	if err := s.eng.SetBitrate(id, bps); err != nil {
		s.Logger.Warn("adaptive bitrate", "dest", dest, "encoder", id, "err", err)
		return
	}
	s.Logger.Info("adaptive bitrate", append([]any{"dest", dest, "encoder", id, "kbps", bps / 1000}, why...)...)
}

// stopAdaptive waits for the controller goroutine (its context ended).
func (s *Session) stopAdaptive() {
	if s.adapt.done != nil {
		<-s.adapt.done
	}
}

// adaptNote is what a destination's stats say about its adaptive encoder
// ("" when it has none).
func (s *Session) adaptNote(name, encoder string) string {
	s.adapt.mu.Lock()
	defer s.adapt.mu.Unlock()
	if st := s.adapt.states[encoder]; st != nil && st.dest == name {
		a := st.abr
		return fmt.Sprintf("adaptive: %d of %d kb/s (floor %d)", a.target/1000, a.configured/1000, a.floor/1000)
	}
	if enc, ok := s.adapt.fixed[name]; ok {
		return fmt.Sprintf("adaptive off: %s cannot change its bitrate while live", enc)
	}
	return ""
}

// adaptFloor is the floor of the adaptive encoder id in kb/s (0: none).
func (s *Session) adaptFloor(id string) float64 {
	s.adapt.mu.Lock()
	defer s.adapt.mu.Unlock()
	if st := s.adapt.states[id]; st != nil {
		return float64(st.abr.floor) / 1000
	}
	return 0
}
