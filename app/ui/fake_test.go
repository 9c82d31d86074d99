package ui

import (
	"errors"
	"image"
	"image/color"
	"log/slog"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"golive/app/profile"
	"golive/app/session"
	"golive/outputs/dest"
)

// fakeEngine stands in for the session engine in tests of the window's
// logic; the real session is exercised by session_test.go.
type fakeEngine struct {
	mu       sync.Mutex
	devices  Devices
	startErr error
	warnings []string
	started  []profile.Profile
	live     *fakeLive
}

func (e *fakeEngine) Start(p profile.Profile) (Live, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.startErr != nil {
		return nil, e.startErr
	}
	e.started = append(e.started, p.Clone())
	e.live = newFakeLive()
	for _, d := range p.Destinations {
		if d.Enabled {
			e.live.outs = append(e.live.outs, fakeOut{name: d.Name, active: true})
		}
	}
	return e.live, nil
}

func (e *fakeEngine) Devices() Devices               { return e.devices }
func (e *fakeEngine) Check(profile.Profile) []string { return e.warnings }

// fakeLive is a session whose stats the test sets.
type fakeLive struct {
	mu      sync.Mutex
	stats   Stats
	done    chan struct{}
	err     error
	closed  bool
	retried []string
	muted   bool
	// outs are the stream's destinations (live control), calls the
	// control calls made, "stop Twitch", "add Kick"...
	outs   []fakeOut
	calls  []string
	ctlErr error
	// serves says which renditions the stream encodes (ServesVideo).
	serves func(profile.Destination) bool
}

type fakeOut struct {
	name   string
	active bool
}

func newFakeLive() *fakeLive { return &fakeLive{done: make(chan struct{})} }

func (l *fakeLive) setStats(st Stats) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stats = st
}

// Stats returns the stats the test set, with every destination of the
// stream listed (stopped ones as stopped).
func (l *fakeLive) Stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.stats
	st.Outputs = nil
	for _, o := range l.outs {
		s := dest.Status{Name: o.name, State: dest.StateLive}
		for _, set := range l.stats.Outputs {
			if set.Name == o.name {
				s = set
			}
		}
		if !o.active {
			s.State = dest.StateStopped
		}
		st.Outputs = append(st.Outputs, s)
	}
	return st
}

func (l *fakeLive) control(call, name string, change func(i int) error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, call+" "+name)
	if l.ctlErr != nil {
		return l.ctlErr
	}
	for i, o := range l.outs {
		if o.name == name {
			return change(i)
		}
	}
	return change(-1)
}

func (l *fakeLive) callLog() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.calls...)
}

func (l *fakeLive) StartOutput(name string) error {
	return l.control("start", name, func(i int) error {
		if i < 0 {
			return session.ErrNoOutput
		}
		l.outs[i].active = true
		return nil
	})
}

func (l *fakeLive) StopOutput(name string) error {
	return l.control("stop", name, func(i int) error {
		if i < 0 {
			return session.ErrNoOutput
		}
		l.outs[i].active = false
		return nil
	})
}

func (l *fakeLive) AddOutput(d profile.Destination) error {
	return l.control("add", d.Name, func(i int) error {
		if i >= 0 {
			return session.ErrOutputExists
		}
		l.outs = append(l.outs, fakeOut{name: d.Name, active: true})
		return nil
	})
}

func (l *fakeLive) UpdateOutput(d profile.Destination) error {
	return l.control("update", d.Name, func(i int) error {
		if i < 0 {
			return session.ErrNoOutput
		}
		return nil
	})
}

func (l *fakeLive) RemoveOutput(name string) error {
	return l.control("remove", name, func(i int) error {
		if i < 0 {
			return session.ErrNoOutput
		}
		l.outs = slices.Delete(l.outs, i, i+1)
		return nil
	})
}

func (l *fakeLive) RetryNow(name string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.retried = append(l.retried, name)
	return true
}

func (l *fakeLive) Done() <-chan struct{} { return l.done }

func (l *fakeLive) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// fail ends the stream as an engine error would.
func (l *fakeLive) fail(err error) {
	l.mu.Lock()
	l.err = err
	l.mu.Unlock()
	close(l.done)
}

func (l *fakeLive) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		l.closed = true
		select {
		case <-l.done:
		default:
			close(l.done)
		}
	}
}

func (l *fakeLive) Preview() (*image.RGBA, bool) {
	img := image.NewRGBA(image.Rect(0, 0, 16, 9))
	for i := range img.Pix {
		img.Pix[i] = 0x80
	}
	img.Set(0, 0, color.RGBA{R: 255, A: 255})
	return img, true
}

func (l *fakeLive) SDPPath(name string) (string, error) { return "/tmp/" + name + ".sdp", nil }
func (l *fakeLive) OpenInVLC(string) error              { return errors.New("vlc is not installed") }
func (l *fakeLive) SetMuted(m bool)                     { l.mu.Lock(); l.muted = m; l.mu.Unlock() }
func (l *fakeLive) CanMute() bool                       { return true }

// newTestStore opens a profile store in a temporary directory.
func newTestStore(t *testing.T) (*profile.Store, Store) {
	t.Helper()
	s := &profile.Store{Dir: t.TempDir(), Keyring: &profile.MemoryKeyring{}}
	if err := s.Open(); err != nil {
		t.Fatalf("open store: %v", err)
	}
	return s, profileStore{s}
}

// newTestWindow opens the window on the test driver with a fixed CPU
// figure so renders are stable.
func newTestWindow(t *testing.T, store Store, eng Engine) *mainWindow {
	t.Helper()
	return newTestWindowOn(t, test.NewTempApp(t), store, eng)
}

// newTestWindowOn opens the window on app a.
func newTestWindowOn(t *testing.T, a fyne.App, store Store, eng Engine) *mainWindow {
	t.Helper()
	w, err := newMainWindow(a, store, eng, Options{})
	if err != nil {
		t.Fatalf("newMainWindow: %v", err)
	}
	w.cpuSample = func() float64 { return 7 }
	w.inlineOps = true
	w.pace = newPacer(func() (time.Duration, bool) { return 0, false })
	w.win.Resize(fyne.NewSize(windowWidth, windowHeight))
	t.Cleanup(func() {
		var live Live
		onMainWait(func() { live = w.live })
		if live != nil {
			live.Close()
		}
		w.bg.Wait()
		onMainWait(w.shutdown)
		if w.tickerDone != nil {
			<-w.tickerDone
		}
	})
	return w
}

// findButton returns the visible button labelled text under o.
func findButton(t *testing.T, o fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	for _, obj := range test.LaidOutObjects(o) {
		if b, ok := obj.(*widget.Button); ok && b.Text == text && b.Visible() {
			return b
		}
	}
	t.Fatalf("no button %q", text)
	return nil
}

// topOverlay returns the dialog on top of the window, failing if none.
func topOverlay(t *testing.T, w *mainWindow) fyne.CanvasObject {
	t.Helper()
	top := w.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog is open")
	}
	return top
}

// testLogger logs warnings and errors to stderr.
func testLogger(t *testing.T) *slog.Logger {
	t.Helper()
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}
