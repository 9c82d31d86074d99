package control

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"golive/app/profile"
	"golive/app/session"
	"golive/media/unit"
	"golive/outputs/dest"
)

// Director is the Controller of `golive serve`: it runs the current
// profile's destinations as one app/session, started when the first
// destination is asked for and closed when the last one stops. StartStream
// starts the enabled streaming destinations (not the recordings),
// StartRecord the enabled recordings, StartOutput any one destination.
type Director struct {
	// Store is an open profile store; Profile is the current profile.
	Store   *profile.Store
	Profile string
	Logger  *slog.Logger
	// NewSession starts a session (nil = session.Session.Initialize); the
	// tests' seam.
	NewSession func(session.Config) (Session, error)

	op sync.Mutex // serialises the operations below

	mu        sync.Mutex // guards the fields below, held briefly
	sess      Session
	prof      profile.Profile // the profile the session runs
	streamOn  time.Time       // when the streaming group became active
	recordOn  time.Time
	reconnect bool
	subs      map[int]func(Event)
	nextSub   int

	quit chan struct{}
	done chan struct{}
}

// Session is what the Director needs of a running app/session.
type Session interface {
	Stats() session.Stats
	OutputList() []session.OutputInfo
	StartOutput(name string) error
	StopOutput(name string) error
	AddOutput(o session.Output) error
	Done() <-chan struct{}
	Close()
}

// Initialize checks the current profile and starts the watcher that
// reports a stream ending on its own and reconnections.
func (d *Director) Initialize() error {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.NewSession == nil {
		d.NewSession = startSession
	}
	if d.Profile == "" {
		d.Profile = d.Store.Selected()
	}
	if _, err := d.Store.Get(d.Profile); err != nil {
		return fmt.Errorf("profile %q: %w", d.Profile, err)
	}
	d.subs = map[int]func(Event){}
	d.quit, d.done = make(chan struct{}), make(chan struct{})
	go d.watch()
	return nil
}

func startSession(cfg session.Config) (Session, error) {
	s := &session.Session{Config: cfg}
	if err := s.Initialize(); err != nil {
		return nil, err
	}
	return s, nil
}

// Close ends the stream (recordings finalized) and stops the watcher.
func (d *Director) Close() {
	close(d.quit)
	<-d.done
	d.op.Lock()
	defer d.op.Unlock()
	bs, br := activeGroups(d.session())
	d.announce(EventStreamStateChanged, -1, bs)
	d.announce(EventRecordStateChanged, -1, br)
	d.closeSession(-1, -1, bs, br)
}

// Subscribe implements Controller.
func (d *Director) Subscribe(fn func(Event)) func() {
	d.mu.Lock()
	defer d.mu.Unlock()
	id := d.nextSub
	d.nextSub++
	d.subs[id] = fn
	return func() {
		d.mu.Lock()
		delete(d.subs, id)
		d.mu.Unlock()
	}
}

func (d *Director) emit(ev Event) {
	d.mu.Lock()
	fns := make([]func(Event), 0, len(d.subs))
	for _, fn := range d.subs {
		fns = append(fns, fn)
	}
	d.mu.Unlock()
	for _, fn := range fns {
		fn(ev)
	}
}

// Profiles implements Controller.
func (d *Director) Profiles() (string, []string) {
	d.mu.Lock()
	cur := d.Profile
	d.mu.Unlock()
	return cur, d.Store.Names()
}

// SetCurrentProfile implements Controller; refused while anything runs.
func (d *Director) SetCurrentProfile(name string) error {
	d.op.Lock()
	defer d.op.Unlock()
	if d.session() != nil {
		return fmt.Errorf("profile %q: the stream or a recording is running: stop it first: %w", name, ErrInvalidState)
	}
	p, err := d.Store.Get(name)
	if errors.Is(err, profile.ErrNotFound) {
		return fmt.Errorf("profile %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return err
	}
	if err := d.Store.Select(p.Name); err != nil {
		d.Logger.Warn("remote control: cannot remember the current profile", "err", err)
	}
	d.mu.Lock()
	d.Profile = p.Name
	d.mu.Unlock()
	d.emit(Event{Type: EventCurrentProfileChanged, Profile: p.Name})
	return nil
}

func (d *Director) session() Session {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.sess
}

// currentProfile is the running profile, or the current one from the
// store when nothing runs.
func (d *Director) currentProfile() (profile.Profile, error) {
	d.mu.Lock()
	if d.sess != nil {
		defer d.mu.Unlock()
		return d.prof, nil
	}
	name := d.Profile
	d.mu.Unlock()
	return d.Store.Get(name)
}

// isStream tells the streaming destinations from the recordings.
func isStream(kind string) bool { return kind != profile.KindRecord }

// groupNames returns the enabled destinations of one group.
func groupNames(p profile.Profile, stream bool) []string {
	var out []string
	for _, dst := range p.Destinations {
		if dst.Enabled && isStream(dst.Kind) == stream {
			out = append(out, dst.Name)
		}
	}
	return out
}

// audioCodecs lists the audio codecs of every destination of the profile,
// so that any of them can join the running stream later.
func audioCodecs(p profile.Profile) []unit.Codec {
	var out []unit.Codec
	for _, dst := range p.Destinations {
		o, err := session.DestinationOutput(dst)
		if err == nil && o.AudioCodec != 0 && !slices.Contains(out, o.AudioCodec) {
			out = append(out, o.AudioCodec)
		}
	}
	return out
}

// activeGroups reports which groups have an active destination.
func activeGroups(s Session) (stream, record bool) {
	if s == nil {
		return false, false
	}
	for _, o := range s.OutputList() {
		if o.Active && isStream(o.Kind) {
			stream = true
		} else if o.Active {
			record = true
		}
	}
	return stream, record
}

// watch reports a stream that ended on its own (an engine error) and the
// streaming group's reconnections, twice a second.
func (d *Director) watch() {
	defer close(d.done)
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-d.quit:
			return
		case <-t.C:
		}
		s := d.session()
		if s == nil {
			continue
		}
		select {
		case <-s.Done():
			d.op.Lock()
			if d.session() == s {
				d.Logger.Warn("remote control: the stream ended on its own", "err", s.Stats().Error)
				bs, br := activeGroups(s)
				d.closeSession(0, 0, bs, br)
			}
			d.op.Unlock()
			continue
		default:
		}
		d.checkReconnect(s)
	}
}

func (d *Director) checkReconnect(s Session) {
	rec := false
	for _, o := range s.OutputList() {
		if o.Active && isStream(o.Kind) && o.Status.State == dest.StateReconnecting {
			rec = true
		}
	}
	d.mu.Lock()
	changed := rec != d.reconnect && !d.streamOn.IsZero()
	d.reconnect = rec
	d.mu.Unlock()
	if changed && rec {
		d.emit(Event{Type: EventStreamStateChanged, Active: true, State: OutputReconnecting})
	} else if changed {
		d.emit(Event{Type: EventStreamStateChanged, Active: true, State: OutputReconnected})
	}
}
