package ui

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"golive/app/control"
	"golive/app/profile"
	"golive/app/session"
	"golive/outputs/dest"
)

// windowController lets obs-websocket clients drive the window: the
// stream is the window's Go Live (every enabled destination), outputs are
// the current profile's destinations. Calls come from the server's
// goroutines; the window's state is read and changed on Fyne's.
type windowController struct {
	w *mainWindow

	mu       sync.Mutex
	subs     map[int]func(control.Event)
	next     int
	seen     bool // lastPh and lastProf are set
	lastPh   phase
	lastProf string
}

// errNotLive refuses a destination's start or stop while idle.
var errNotLive = fmt.Errorf("the window is not live: go live first: %w", control.ErrInvalidState)

// snapshot reads the window's state on Fyne's goroutine.
func (c *windowController) snapshot() (ph phase, live Live, names []string, cur string, dests []string) {
	onMainWait(func() {
		ph, live, cur = c.w.phase, c.w.live, c.w.prof.Name
		names = c.w.store.List()
		for _, d := range c.w.prof.Destinations {
			dests = append(dests, d.Name)
		}
	})
	return ph, live, names, cur, dests
}

// waitPhase waits until the window reaches one of the phases.
func (c *windowController) waitPhase(within time.Duration, want ...phase) phase {
	deadline := time.Now().Add(within)
	for {
		ph, _, _, _, _ := c.snapshot()
		if slices.Contains(want, ph) || time.Now().After(deadline) {
			return ph
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (c *windowController) Profiles() (string, []string) {
	_, _, names, cur, _ := c.snapshot()
	return cur, names
}

func (c *windowController) SetCurrentProfile(name string) error {
	var err error
	onMainWait(func() {
		switch {
		case c.w.phase != phaseIdle:
			err = fmt.Errorf("the window is live: end the stream first: %w", control.ErrInvalidState)
		case !slices.Contains(c.w.store.List(), name):
			err = fmt.Errorf("profile %q: %w", name, control.ErrNotFound)
		default:
			err = c.w.selectProfile(name)
		}
	})
	c.observe()
	return err
}

func (c *windowController) StartStream() error {
	var err error
	onMainWait(func() {
		if c.w.phase != phaseIdle {
			err = fmt.Errorf("the stream: %w", control.ErrAlreadyActive)
			return
		}
		if problems, _ := c.w.preflight(c.w.prof); len(problems) > 0 {
			err = fmt.Errorf("cannot go live: %s: %w", strings.Join(problems, "; "), control.ErrInvalidState)
			return
		}
		c.w.startStream()
	})
	if err != nil {
		return err
	}
	c.observe()
	defer c.observe()
	if c.waitPhase(time.Minute, phaseLive, phaseIdle) != phaseLive {
		return errors.New("could not go live: the window shows why")
	}
	return nil
}

func (c *windowController) StopStream() error {
	var err error
	onMainWait(func() {
		if c.w.phase != phaseLive {
			err = fmt.Errorf("the stream: %w", control.ErrNotActive)
			return
		}
		c.w.endStream(nil)
	})
	if err != nil {
		return err
	}
	c.observe()
	c.waitPhase(time.Minute, phaseIdle)
	c.observe()
	return nil
}

// group sums the live destinations of one group (streaming or recording).
func (c *windowController) group(stream bool) control.OutputState {
	ph, live, _, _, _ := c.snapshot()
	st := control.OutputState{Name: "stream", Kind: "stream"}
	if live == nil || ph != phaseLive {
		return st
	}
	s := live.Stats()
	for _, o := range s.Outputs {
		if (o.Kind != "record") != stream || o.State == dest.StateStopped {
			continue
		}
		st.Active = true
		st.Bytes += o.Bytes
		st.Reconnecting = st.Reconnecting || o.State == dest.StateReconnecting
	}
	st.Duration = time.Duration(s.ElapsedS * float64(time.Second))
	st.Skipped, st.Total = s.Skipped, s.Encoded
	return st
}

func (c *windowController) Stream() control.OutputState { return c.group(true) }
func (c *windowController) Record() control.OutputState { return c.group(false) }

func (c *windowController) StartRecord() error {
	return fmt.Errorf("in the window, recordings run with the stream (or StartOutput): %w", control.ErrInvalidState)
}

func (c *windowController) StopRecord() (string, error) {
	return "", fmt.Errorf("in the window, use StopOutput on the recording: %w", control.ErrInvalidState)
}

func (c *windowController) Outputs() []control.OutputState {
	var p []control.OutputState
	var live Live
	onMainWait(func() {
		if c.w.phase == phaseLive {
			live = c.w.live
		}
		for _, d := range c.w.prof.Destinations {
			p = append(p, control.OutputState{Name: d.Name, Kind: d.Kind, Enabled: d.Enabled,
				State: string(dest.StateIdle), Width: c.w.prof.Encoder.Width, Height: c.w.prof.Encoder.Height})
		}
	})
	if live == nil {
		return p
	}
	st := live.Stats()
	for i := range p {
		if o, ok := st.output(p[i].Name); ok {
			p[i].Active = o.State != dest.StateStopped
			p[i].State, p[i].LastError = string(o.State), o.LastError
			p[i].Reconnecting = o.State == dest.StateReconnecting
			p[i].Duration = time.Duration(o.UptimeS * float64(time.Second))
			p[i].Bytes, p[i].Skipped, p[i].Total = o.Bytes, o.Dropped, o.FramesSent
		}
	}
	return p
}

// output finds a destination of the live window: its profile entry and
// whether the session has it running.
func (c *windowController) output(name string) (live Live, known, active bool, err error) {
	ph, live, _, _, dests := c.snapshot()
	if !slices.Contains(dests, name) {
		return nil, false, false, fmt.Errorf("destination %q: %w", name, control.ErrNotFound)
	}
	if live == nil || ph != phaseLive {
		return nil, false, false, errNotLive
	}
	o, known := live.Stats().output(name)
	return live, known, known && o.State != dest.StateStopped, nil
}

func (c *windowController) StartOutput(name string) error {
	live, known, active, err := c.output(name)
	switch {
	case err != nil:
		return err
	case active:
		return fmt.Errorf("destination %q: %w", name, control.ErrAlreadyActive)
	case known:
		return live.StartOutput(name)
	}
	d, found := c.destination(name)
	if !found {
		return fmt.Errorf("destination %q: %w", name, control.ErrNotFound)
	}
	return live.AddOutput(d)
}

// destination returns the current profile's destination of that name.
func (c *windowController) destination(name string) (d profile.Destination, found bool) {
	onMainWait(func() {
		if p, ok := c.w.prof.Destination(name); ok {
			d, found = p.Clone(), true
		}
	})
	return d, found
}

func (c *windowController) StopOutput(name string) error {
	live, _, active, err := c.output(name)
	if err != nil {
		return err
	}
	if !active {
		return fmt.Errorf("destination %q: %w", name, control.ErrNotActive)
	}
	return live.StopOutput(name)
}

func (c *windowController) Engine() control.EngineStats {
	ph, live, _, _, _ := c.snapshot()
	if live == nil || ph != phaseLive {
		return control.EngineStats{}
	}
	s := live.Stats()
	return control.EngineStats{FPS: s.FPS, Captured: s.Captured, Encoded: s.Encoded, Skipped: s.Skipped}
}

// stats is the metrics' source: the live window's figures.
func (c *windowController) stats() (session.Stats, bool) {
	ph, live, _, _, _ := c.snapshot()
	if live == nil || ph != phaseLive {
		return session.Stats{}, false
	}
	s := live.Stats()
	return session.Stats{ElapsedS: s.ElapsedS, FPS: s.FPS, UploadKbps: s.UploadKbps, Outputs: s.Outputs, Live: true,
		Frames: session.FrameStats{Captured: s.Captured, Encoded: s.Encoded, Skipped: s.Skipped}}, true
}

func (c *windowController) Subscribe(fn func(control.Event)) func() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.subs == nil {
		c.subs = map[int]func(control.Event){}
	}
	id := c.next
	c.next++
	c.subs[id] = fn
	return func() {
		c.mu.Lock()
		delete(c.subs, id)
		c.mu.Unlock()
	}
}

func (c *windowController) emit(ev control.Event) {
	c.mu.Lock()
	fns := make([]func(control.Event), 0, len(c.subs))
	for _, fn := range c.subs {
		fns = append(fns, fn)
	}
	c.mu.Unlock()
	for _, fn := range fns {
		fn(ev)
	}
}

// watch turns the window's phases and profile changes, whoever caused
// them (a client, the Go Live button, an engine error), into events,
// until stop is closed.
func (c *windowController) watch(stop <-chan struct{}) {
	t := time.NewTicker(150 * time.Millisecond)
	defer t.Stop()
	for {
		c.observe()
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}

// observe reports what changed since the last look. The controller's own
// calls look at once, so that a stream shorter than the poll is seen.
func (c *windowController) observe() {
	ph, _, _, prof, _ := c.snapshot()
	c.mu.Lock()
	var evs []control.Event
	if c.seen {
		if prof != c.lastProf {
			evs = append(evs, control.Event{Type: control.EventCurrentProfileChanged, Profile: prof})
		}
		evs = append(evs, phaseEvents(c.lastPh, ph)...)
	}
	c.seen, c.lastPh, c.lastProf = true, ph, prof
	c.mu.Unlock()
	for _, ev := range evs {
		c.emit(ev)
	}
}

// phaseEvents are the StreamStateChanged events of a phase change; a
// phase the poll missed is reported too, so the order is always
// STARTING, STARTED, STOPPING, STOPPED.
func phaseEvents(from, to phase) []control.Event {
	ev := func(active bool, state string) control.Event {
		return control.Event{Type: control.EventStreamStateChanged, Active: active, State: state}
	}
	order := []phase{phaseIdle, phaseStarting, phaseLive, phaseEnding}
	states := map[phase]control.Event{
		phaseStarting: ev(false, control.OutputStarting), phaseLive: ev(true, control.OutputStarted),
		phaseEnding: ev(true, control.OutputStopping), phaseIdle: ev(false, control.OutputStopped)}
	if from == to {
		return nil
	}
	i, j := slices.Index(order, from), slices.Index(order, to)
	if i < 0 || j < 0 {
		return nil
	}
	if from == phaseStarting && to == phaseIdle { // going live failed
		return []control.Event{states[phaseIdle]}
	}
	var out []control.Event
	for k := i + 1; ; k++ {
		p := order[k%len(order)]
		out = append(out, states[p])
		if p == to {
			return out
		}
	}
}
