package control

import (
	"errors"
	"fmt"
	"time"

	"golive/app/profile"
	"golive/app/session"
	"golive/outputs/dest"
)

// intent is what an operation means for a group: start (+1), stop (-1)
// or nothing announced beforehand (0).
type intent int

// run performs op under the operation lock and reports the groups'
// transitions: STARTING/STOPPING before an announced start or stop, then
// STARTED/STOPPED once the group's state changed (or did not, on failure).
// The session is closed once nothing is active any more.
func (d *Director) run(streamIntent, recordIntent intent, op func() error) error {
	d.op.Lock()
	defer d.op.Unlock()
	bs, br := activeGroups(d.session())
	d.announce(EventStreamStateChanged, streamIntent, bs)
	d.announce(EventRecordStateChanged, recordIntent, br)
	err := op()
	as, ar := activeGroups(d.session())
	if s := d.session(); s != nil && !as && !ar {
		d.closeSession(streamIntent, recordIntent, bs, br)
		return err
	}
	d.report(EventStreamStateChanged, streamIntent, bs, as)
	d.report(EventRecordStateChanged, recordIntent, br, ar)
	return err
}

func (d *Director) announce(typ string, in intent, active bool) {
	switch {
	case in > 0 && !active:
		d.emit(Event{Type: typ, State: OutputStarting})
	case in < 0 && active:
		d.emit(Event{Type: typ, Active: true, State: OutputStopping})
	}
}

// report emits the end of a group's transition and keeps its start time.
func (d *Director) report(typ string, in intent, before, after bool) {
	announced := (in > 0 && !before) || (in < 0 && before)
	if before == after && !announced {
		return
	}
	d.mu.Lock()
	on := &d.streamOn
	if typ == EventRecordStateChanged {
		on = &d.recordOn
	}
	if after && !before {
		*on = time.Now()
	} else if !after {
		*on = time.Time{}
		if typ == EventStreamStateChanged {
			d.reconnect = false
		}
	}
	d.mu.Unlock()
	ev := Event{Type: typ, Active: after}
	if typ == EventRecordStateChanged {
		ev.Path = d.recordPath()
	}
	switch {
	case after && !announced:
		d.emit(Event{Type: typ, State: OutputStarting, Path: ev.Path})
		ev.State = OutputStarted
	case after:
		ev.State = OutputStarted
	case !announced:
		d.emit(Event{Type: typ, Active: true, State: OutputStopping, Path: ev.Path})
		ev.State = OutputStopped
	default:
		ev.State = OutputStopped
	}
	d.emit(ev)
}

// closeSession ends the running session (recordings finalized) and
// reports the groups that were active (bs, br) as stopped, after the
// intents announced. Call with d.op held.
func (d *Director) closeSession(streamIn, recordIn intent, bs, br bool) {
	s := d.session()
	if s == nil {
		return
	}
	s.Close()
	d.mu.Lock()
	d.sess = nil
	d.mu.Unlock()
	d.report(EventStreamStateChanged, streamIn, bs, false)
	d.report(EventRecordStateChanged, recordIn, br, false)
}

// start starts the named destinations of the current profile: in a new
// session when none runs, else added to (or restarted in) the running one.
func (d *Director) start(names []string) error {
	s := d.session()
	if s == nil {
		p, err := d.currentProfile()
		if err != nil {
			return err
		}
		return d.startSession(p, names)
	}
	d.mu.Lock()
	p := d.prof
	d.mu.Unlock()
	inSession := map[string]bool{}
	for _, o := range s.OutputList() {
		inSession[o.Name] = true
	}
	for _, name := range names {
		if inSession[name] {
			if err := s.StartOutput(name); err != nil {
				return fmt.Errorf("destination %q: %w", name, err)
			}
			continue
		}
		o, err := destinationOutput(p, name)
		if err != nil {
			return err
		}
		if err := s.AddOutput(o); err != nil {
			return fmt.Errorf("destination %q: %w", name, err)
		}
	}
	return nil
}

func (d *Director) startSession(p profile.Profile, names []string) error {
	if err := p.ValidateForLive(); err != nil {
		return fmt.Errorf("profile %q: %w", p.Name, err)
	}
	cfg := session.Config{Engine: session.EngineConfig(p), AudioCodecs: audioCodecs(p), Logger: d.Logger}
	for _, name := range names {
		o, err := destinationOutput(p, name)
		if err != nil {
			return err
		}
		cfg.Outputs = append(cfg.Outputs, o)
	}
	s, err := d.NewSession(cfg)
	if err != nil {
		return fmt.Errorf("going live with profile %q: %w", p.Name, err)
	}
	d.mu.Lock()
	d.sess, d.prof = s, p
	d.mu.Unlock()
	return nil
}

func destinationOutput(p profile.Profile, name string) (session.Output, error) {
	dst, ok := p.Destination(name)
	if !ok {
		return session.Output{}, fmt.Errorf("destination %q: %w", name, ErrNotFound)
	}
	// Its own rendition too: a destination with a video of its own reads
	// that encoder, as in the window and the command line.
	return session.ProfileOutput(p, *dst)
}

// stop stops the active destinations of one group.
func (d *Director) stop(stream bool) error {
	s := d.session()
	if s == nil {
		return nil
	}
	var errs []error
	for _, o := range s.OutputList() {
		if o.Active && isStream(o.Kind) == stream {
			errs = append(errs, s.StopOutput(o.Name))
		}
	}
	return errors.Join(errs...)
}

// startGroup starts the enabled destinations of one group.
func (d *Director) startGroup(stream bool, what string) error {
	bs, br := activeGroups(d.session())
	if (stream && bs) || (!stream && br) {
		return fmt.Errorf("the %s is already running: %w", what, ErrAlreadyActive)
	}
	p, err := d.currentProfile()
	if err != nil {
		return err
	}
	names := groupNames(p, stream)
	if len(names) == 0 {
		return fmt.Errorf("profile %q has no enabled %s destination: enable one: %w", p.Name, what, ErrNothingToStream)
	}
	return d.start(names)
}

// StartStream implements Controller.
func (d *Director) StartStream() error {
	return d.run(1, 0, func() error { return d.startGroup(true, "stream") })
}

// StopStream implements Controller.
func (d *Director) StopStream() error {
	if bs, _ := activeGroups(d.session()); !bs {
		return fmt.Errorf("the stream: %w", ErrNotActive)
	}
	return d.run(-1, 0, func() error { return d.stop(true) })
}

// StartRecord implements Controller.
func (d *Director) StartRecord() error {
	return d.run(0, 1, func() error { return d.startGroup(false, "recording") })
}

// StopRecord implements Controller.
func (d *Director) StopRecord() (string, error) {
	if _, br := activeGroups(d.session()); !br {
		return "", fmt.Errorf("the recording: %w", ErrNotActive)
	}
	path := d.recordPath()
	return path, d.run(0, -1, func() error { return d.stop(false) })
}

// recordPath is the file of the first recording destination.
func (d *Director) recordPath() string {
	p, err := d.currentProfile()
	if err != nil {
		return ""
	}
	for _, dst := range p.Destinations {
		if dst.Kind == profile.KindRecord && dst.Record != nil && (dst.Enabled || d.isActive(dst.Name)) {
			return dst.Record.Path
		}
	}
	return ""
}

func (d *Director) isActive(name string) bool {
	if s := d.session(); s != nil {
		for _, o := range s.OutputList() {
			if o.Name == name {
				return o.Active
			}
		}
	}
	return false
}

// StartOutput implements Controller.
func (d *Director) StartOutput(name string) error {
	return d.run(0, 0, func() error {
		p, err := d.currentProfile()
		if err != nil {
			return err
		}
		if _, ok := p.Destination(name); !ok {
			return fmt.Errorf("destination %q: %w", name, ErrNotFound)
		}
		if d.isActive(name) {
			return fmt.Errorf("destination %q: %w", name, ErrAlreadyActive)
		}
		return d.start([]string{name})
	})
}

// StopOutput implements Controller.
func (d *Director) StopOutput(name string) error {
	return d.run(0, 0, func() error {
		if !d.isActive(name) {
			return fmt.Errorf("destination %q: %w", name, ErrNotActive)
		}
		return d.session().StopOutput(name)
	})
}

// Stream implements Controller.
func (d *Director) Stream() OutputState { return d.group(true) }

// Record implements Controller.
func (d *Director) Record() OutputState {
	st := d.group(false)
	st.Path = d.recordPath()
	return st
}

func (d *Director) group(stream bool) OutputState {
	st := OutputState{Name: "stream", Kind: "stream"}
	if !stream {
		st.Name, st.Kind = "record", profile.KindRecord
	}
	s := d.session()
	if s == nil {
		return st
	}
	for _, o := range s.OutputList() {
		if !o.Active || isStream(o.Kind) != stream {
			continue
		}
		st.Active = true
		st.Bytes += o.Status.Bytes
		st.Reconnecting = st.Reconnecting || o.Status.State == dest.StateReconnecting
		st.Congestion = max(st.Congestion, congestion(o.Status))
	}
	d.mu.Lock()
	on := d.streamOn
	if !stream {
		on = d.recordOn
	}
	d.mu.Unlock()
	if st.Active && !on.IsZero() {
		st.Duration = time.Since(on)
	}
	stats := s.Stats()
	st.Skipped, st.Total = stats.Frames.Skipped, stats.Frames.Encoded
	return st
}

// congestion is how full a destination's queue is, 0 to 1 (1 s = full).
func congestion(st dest.Status) float64 { return min(1, st.QueueMs/1000) }

// Outputs implements Controller: every destination of the current profile.
func (d *Director) Outputs() []OutputState {
	p, err := d.currentProfile()
	if err != nil {
		return nil
	}
	running := map[string]session.OutputInfo{}
	if s := d.session(); s != nil {
		for _, o := range s.OutputList() {
			running[o.Name] = o
		}
	}
	out := make([]OutputState, 0, len(p.Destinations))
	for _, dst := range p.Destinations {
		o := OutputState{Name: dst.Name, Kind: dst.Kind, Enabled: dst.Enabled, State: string(dest.StateIdle),
			Width: p.Encoder.Width, Height: p.Encoder.Height}
		if dst.Record != nil {
			o.Path = dst.Record.Path
		}
		if r, ok := running[dst.Name]; ok {
			st := r.Status
			o.Active, o.State, o.LastError = r.Active, string(st.State), st.LastError
			o.Reconnecting = r.Active && st.State == dest.StateReconnecting
			o.Duration = time.Duration(st.UptimeS * float64(time.Second))
			o.Bytes, o.Skipped, o.Total = st.Bytes, st.Dropped, st.FramesSent
			o.Congestion = congestion(st)
		}
		out = append(out, o)
	}
	return out
}

// Engine implements Controller.
func (d *Director) Engine() EngineStats {
	s := d.session()
	if s == nil {
		return EngineStats{}
	}
	st := s.Stats()
	return EngineStats{FPS: st.FPS, Captured: st.Frames.Captured, Encoded: st.Frames.Encoded, Skipped: st.Frames.Skipped}
}

// Stats returns the running session's figures; false when idle (the
// metrics' source).
func (d *Director) Stats() (session.Stats, bool) {
	s := d.session()
	if s == nil {
		return session.Stats{}, false
	}
	return s.Stats(), true
}
