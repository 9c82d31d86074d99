package control

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golive/app/profile"
	"golive/app/session"
	"golive/outputs/dest"
)

// fakeSession stands in for a running app/session: outputs by name.
type fakeSession struct {
	mu     sync.Mutex
	outs   []session.OutputInfo
	done   chan struct{}
	closed bool
}

func (s *fakeSession) Stats() session.Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := session.Stats{Live: !s.closed, Frames: session.FrameStats{Encoded: 10}}
	for _, o := range s.outs {
		st.Outputs = append(st.Outputs, o.Status)
	}
	return st
}

func (s *fakeSession) OutputList() []session.OutputInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.outs)
}

func (s *fakeSession) set(name string, active bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.outs {
		if s.outs[i].Name == name {
			s.outs[i].Active = active
			s.outs[i].Status.State = map[bool]dest.State{true: dest.StateLive, false: dest.StateStopped}[active]
			s.outs[i].Status.Bytes = 100
			return nil
		}
	}
	return session.ErrNoOutput
}

func (s *fakeSession) StartOutput(name string) error { return s.set(name, true) }
func (s *fakeSession) StopOutput(name string) error  { return s.set(name, false) }
func (s *fakeSession) AddOutput(o session.Output) error {
	s.mu.Lock()
	s.outs = append(s.outs, session.OutputInfo{Name: o.Name, Kind: o.Kind})
	s.mu.Unlock()
	return s.set(o.Name, true)
}
func (s *fakeSession) Done() <-chan struct{} { return s.done }
func (s *fakeSession) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
}

// directorFixture is a Director on a profile of two enabled RTMP
// destinations, a recording and a disabled RTMP one, with fake sessions.
type directorFixture struct {
	d        *Director
	mu       sync.Mutex
	sessions []*fakeSession
	events   []string
}

func newDirectorFixture(t *testing.T) *directorFixture {
	t.Helper()
	dir := t.TempDir()
	st := &profile.Store{Dir: dir, Keyring: &profile.MemoryKeyring{}}
	if err := st.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	p := profile.DefaultProfile()
	p.Name = "P"
	p.Capture.Source, p.Capture.Audio = profile.SourceTest, profile.AudioTest
	p.Destinations = nil
	for _, n := range []string{"A", "B", "C"} {
		d, err := profile.ParseRTMPFlag("rtmp://127.0.0.1:1935/live", "key"+n+"-secret")
		if err != nil {
			t.Fatal(err)
		}
		d.Name, d.Enabled = n, n != "C"
		p.Destinations = append(p.Destinations, d)
	}
	rec, err := profile.ParseRecordFlag(filepath.Join(dir, "r.mkv"))
	if err != nil {
		t.Fatal(err)
	}
	rec.Name = "R"
	p.Destinations = append(p.Destinations, rec)
	if err := st.Add(p); err != nil {
		t.Fatal(err)
	}
	f := &directorFixture{}
	f.d = &Director{Store: st, Profile: "P", NewSession: func(cfg session.Config) (Session, error) {
		s := &fakeSession{done: make(chan struct{})}
		for _, o := range cfg.Outputs {
			s.outs = append(s.outs, session.OutputInfo{Name: o.Name, Kind: o.Kind, Active: true,
				Status: dest.Status{Name: o.Name, Kind: o.Kind, State: dest.StateLive}})
		}
		f.mu.Lock()
		f.sessions = append(f.sessions, s)
		f.mu.Unlock()
		return s, nil
	}}
	if err := f.d.Initialize(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.d.Close)
	f.d.Subscribe(func(ev Event) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.events = append(f.events, ev.Type[:6]+" "+strings.TrimPrefix(ev.State, "OBS_WEBSOCKET_OUTPUT_")+ev.Profile)
	})
	return f
}

// took returns the events since the last call.
func (f *directorFixture) took() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := strings.Join(f.events, ", ")
	f.events = nil
	return s
}

func (f *directorFixture) names(i int) []string {
	var out []string
	for _, o := range f.sessions[i].OutputList() {
		if o.Active {
			out = append(out, o.Name)
		}
	}
	return out
}

// TestDirectorGroups: the stream and the recording are groups of
// destinations in one session; each transition is reported in order; the
// session closes when the last destination stops.
func TestDirectorGroups(t *testing.T) {
	f := newDirectorFixture(t)
	d := f.d
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(d.StartStream())
	if got := f.took(); got != "Stream STARTING, Stream STARTED" {
		t.Fatalf("events %q", got)
	}
	if got := f.names(0); strings.Join(got, ",") != "A,B" {
		t.Fatalf("started %v, want the enabled streaming destinations", got)
	}
	if err := d.StartStream(); !errors.Is(err, ErrAlreadyActive) {
		t.Fatalf("second StartStream: %v", err)
	}
	must(d.StartRecord())
	if got := f.took(); got != "Record STARTING, Record STARTED" {
		t.Fatalf("events %q", got)
	}
	if err := d.SetCurrentProfile("Local preview"); !errors.Is(err, ErrInvalidState) {
		t.Fatalf("profile change while live: %v", err)
	}
	must(d.StopOutput("A"))
	if got := f.took(); got != "" || !d.Stream().Active {
		t.Fatalf("stopping one of two: events %q, stream active %v", got, d.Stream().Active)
	}
	must(d.StopStream())
	if got := f.took(); got != "Stream STOPPING, Stream STOPPED" || f.sessions[0].closed {
		t.Fatalf("events %q, session closed %v (the recording still runs)", got, f.sessions[0].closed)
	}
	path, err := d.StopRecord()
	must(err)
	if got := f.took(); got != "Record STOPPING, Record STOPPED" || !f.sessions[0].closed || !strings.HasSuffix(path, "r.mkv") {
		t.Fatalf("events %q, closed %v, path %q", got, f.sessions[0].closed, path)
	}
	// A disabled destination started on its own starts a session with it.
	must(d.StartOutput("C"))
	if got := f.took(); got != "Stream STARTING, Stream STARTED" || strings.Join(f.names(1), ",") != "C" {
		t.Fatalf("StartOutput on idle: events %q, outputs %v", got, f.names(1))
	}
	if err := d.StartOutput("nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown output: %v", err)
	}
	// The engine fails: the watcher reports the stream stopped.
	close(f.sessions[1].done)
	deadline := time.Now().Add(3 * time.Second)
	got := ""
	for time.Now().Before(deadline) && got == "" {
		time.Sleep(50 * time.Millisecond)
		got = f.took()
	}
	if got != "Stream STOPPING, Stream STOPPED" || d.Stream().Active {
		t.Fatalf("engine failure: events %q", got)
	}
	must(d.SetCurrentProfile("Local preview"))
	if got := f.took(); got != "Curren Local preview" {
		t.Fatalf("events %q", got)
	}
}
