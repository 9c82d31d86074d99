package ui

import (
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"golive/app/profile"
)

// phase is where the window is in a stream's life.
type phase int

const (
	phaseIdle phase = iota
	phaseStarting
	phaseLive
	phaseEnding
)

// The window's size when it opens, on a screen large enough (fitToScreen).
const (
	windowWidth  = 1180
	windowHeight = 720
)

// mainWindow is GoLive's window and its controller. Every method runs on
// Fyne's goroutine; work that blocks (going live, ending) runs in goAsync
// and comes back through onMainWait (onmain.go).
type mainWindow struct {
	app     fyne.App
	win     fyne.Window
	store   Store
	engine  Engine
	log     *slog.Logger
	opts    Options
	devices Devices

	prof    profile.Profile
	loading bool
	phase   phase
	live    Live
	last    Stats
	muted   bool
	bg      sync.WaitGroup
	stop    chan struct{}
	stopped bool
	// tickerDone is closed when the ticker has stopped (nil: never started).
	tickerDone chan struct{}
	cpu        cpuMeter
	// cpuSample returns the process CPU use in percent (replaced in tests).
	cpuSample func() float64
	// pace picks the preview rate while live; rate is the number of
	// ticks per second the ticker goroutine runs (1 while idle).
	pace *pacer
	rate atomic.Int32

	// inlineOps runs live-control calls in the caller (tests on Fyne's
	// test driver, whose fyne.DoAndWait does not wait for the handler
	// that started the call to return).
	inlineOps bool
	// monitor measures the audio level while idle (monitor.go);
	// monitorKey is the source it monitors.
	monitor    LevelMonitor
	monitorKey string
	// modals are the open dialogs, the top one last (see dialogs.go).
	modals []*modal

	trayMenu       *fyne.Menu
	trayItem       *fyne.MenuItem
	lastDestDialog *destDialog

	notices  *notices
	profiles *profileBar
	preview  *previewPanel
	sources  *sourcesPanel
	encoder  *encoderPanel
	dests    *destList
	action   *goLivePanel
	status   *statusBar
	// keyStore says, in the settings area, where stream keys are kept.
	keyStore *widget.Label
}

// newMainWindow builds the window on app a and loads the last profile.
func newMainWindow(a fyne.App, store Store, engine Engine, opts Options) (*mainWindow, error) {
	w := &mainWindow{app: a, store: store, engine: engine, log: opts.Logger, opts: opts,
		stop: make(chan struct{}), pace: newPacer(guiThreadsCPU)}
	w.rate.Store(1)
	if w.log == nil {
		w.log = slog.Default()
	}
	w.devices = engine.Devices()
	w.win = a.NewWindow("GoLive")
	w.win.SetIcon(resourceIconPng)
	w.build()
	if err := w.loadInitialProfile(); err != nil {
		return nil, err
	}
	w.win.Resize(fyne.NewSize(windowWidth, windowHeight))
	w.fitToScreen()
	w.applyPhase()
	w.win.SetCloseIntercept(w.onCloseRequest)
	w.addShortcuts()
	w.win.Canvas().SetOnTypedKey(w.onTypedKey)
	w.setupTray()
	w.setupRemote()
	w.cpuSample = func() float64 { return w.cpu.sample(time.Now()) }
	w.cpuSample()
	return w, nil
}

func (w *mainWindow) build() {
	w.notices = newNotices()
	w.profiles = newProfileBar(w)
	w.preview = newPreviewPanel()
	w.sources = newSourcesPanel(w)
	w.encoder = newEncoderPanel(w)
	w.dests = newDestList(w)
	w.action = newGoLivePanel(w)
	w.status = newStatusBar()
	w.keyStore = newKeyStoreLine(w.store)
	left := container.NewVBox(w.preview.object, widget.NewSeparator(),
		w.sources.object, widget.NewSeparator(), w.encoder.object, widget.NewSeparator(), w.keyStore)
	top := container.NewVBox(w.profiles.object, w.notices.object)
	bottom := container.NewVBox(widget.NewSeparator(), w.action.object, w.status.object)
	split := container.NewHSplit(container.NewVScroll(left), w.dests.object)
	split.Offset = 0.36
	w.win.SetContent(container.NewBorder(top, bottom, nil, nil, split))
}

// loadInitialProfile selects the profile used last, or creates the
// "Local preview" profile on first start, fitted to this machine.
func (w *mainWindow) loadInitialProfile() error {
	names := w.store.List()
	if len(names) == 0 {
		if err := w.store.Put(profile.DefaultProfile()); err != nil {
			return fmt.Errorf("creating the first profile: %w", err)
		}
		names = w.store.List()
	}
	name := w.store.Selected()
	if !slices.Contains(names, name) {
		name = names[0]
	}
	if err := w.selectProfile(name); err != nil {
		return err
	}
	if len(names) == 1 && isUntouchedDefault(w.prof) {
		before := w.prof.Capture
		w.adaptToMachine(&w.prof)
		if !reflect.DeepEqual(w.prof.Capture, before) {
			w.changed()
			w.showProfile()
		}
	}
	w.showStoreNotices()
	return nil
}

// isUntouchedDefault reports whether p is still the first-start profile.
func isUntouchedDefault(p profile.Profile) bool {
	def := profile.DefaultProfile()
	return p.Name == def.Name && reflect.DeepEqual(p.Capture, def.Capture) &&
		len(p.Destinations) == len(def.Destinations)
}

// adaptToMachine makes a profile work on this machine: without a
// microphone it streams silence, without a screen the test pattern.
func (w *mainWindow) adaptToMachine(p *profile.Profile) {
	if p.Capture.Audio == profile.AudioMic && len(w.devices.Microphones) == 0 {
		p.Capture.Audio, p.Capture.AudioDevice = profile.AudioNone, ""
	}
	if p.Capture.Source == profile.SourceScreen && len(w.devices.Screens) == 0 {
		p.Capture.Source, p.Capture.Display, p.Capture.Region = profile.SourceTest, "", ""
	}
}

// showStoreNotices shows what the profile store wants the user to know.
func (w *mainWindow) showStoreNotices() {
	n, ok := w.store.(interface{ Notices() []string })
	if !ok {
		return
	}
	if msgs := n.Notices(); len(msgs) > 0 {
		w.notices.Set("store", strings.Join(msgs, "\n"), levelWarning)
	}
}

// selectProfile makes name the current profile and shows it.
func (w *mainWindow) selectProfile(name string) error {
	p, err := w.store.Get(name)
	if err != nil {
		return fmt.Errorf("loading profile %q: %w", name, err)
	}
	if err := w.store.Select(name); err != nil {
		w.notices.Set("profile", "Could not remember the selected profile: "+err.Error(), levelWarning)
	}
	w.prof = p
	w.showProfile()
	return nil
}

// showProfile fills every panel from w.prof without saving.
func (w *mainWindow) showProfile() {
	w.loading = true
	defer func() { w.loading = false }()
	w.profiles.show(w.store.List(), w.prof.Name)
	w.sources.show(w.prof.Capture)
	w.encoder.show(w.prof.Encoder)
	w.dests.show(w.prof.Destinations)
	w.updateTitle()
	w.updateGoLive()
	w.updateMonitor()
}

// changed saves the current profile after an edit in a panel.
func (w *mainWindow) changed() {
	w.updateGoLive()
	if w.loading {
		return
	}
	if err := w.store.Put(w.prof); err != nil {
		w.notices.Set("save", "Could not save profile: "+err.Error(), levelDanger)
		return
	}
	w.notices.Clear("save")
	w.updateMonitor()
	if w.phase == phaseIdle && w.dests != nil {
		w.dests.reset() // limits and "needs key" follow the settings
	}
}

// isBusy reports whether settings that need a restart are locked.
func (w *mainWindow) isBusy() bool { return w.phase != phaseIdle }

// destsLocked reports whether destinations are locked: only while the
// stream starts or ends (while live they change one at a time).
func (w *mainWindow) destsLocked() bool {
	return w.phase == phaseStarting || w.phase == phaseEnding
}

// applyPhase enables and disables controls for the current phase.
func (w *mainWindow) applyPhase() {
	busy := w.isBusy()
	w.profiles.setLocked(busy)
	w.sources.setLocked(busy)
	w.encoder.setLocked(busy)
	w.dests.setLocked(w.destsLocked())
	w.action.showPhase(w.phase)
	w.updateGoLive()
	w.updateMonitor()
	w.updateTitle()
	w.updateTray()
}

func (w *mainWindow) updateTitle() {
	title := "GoLive — " + w.prof.Name
	if w.phase == phaseLive {
		title = "● LIVE " + formatElapsed(w.last.ElapsedS) + " — " + title
	}
	w.win.SetTitle(title)
}

// goAsync runs work off Fyne's goroutine and then its result on it.
func (w *mainWindow) goAsync(work func() func()) {
	w.bg.Add(1)
	go func() {
		defer w.bg.Done()
		then := work()
		onMainWait(then)
	}()
}

// startTicker polls the live session: w.rate times a second for the
// preview and the meter, once a second for the stats, with one onMain
// (so one repaint) per tick. The rate is read once a second, when the
// stats tick has set it. It stops with the window (shutdown), then
// closes w.tickerDone.
func (w *mainWindow) startTicker() {
	w.tickerDone = make(chan struct{})
	go func() {
		defer close(w.tickerDone)
		rate := 1
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for n := 1; ; n++ {
			select {
			case <-w.stop:
				return
			case <-t.C:
			}
			slow := n%rate == 0
			onMain(func() {
				w.tickFast()
				if slow {
					w.tick()
				}
			})
			if r := max(1, int(w.rate.Load())); slow && r != rate {
				rate, n = r, 0
				t.Reset(time.Second / time.Duration(rate))
			}
		}
	}()
}

// shutdown stops the ticker; the session must already be closed.
func (w *mainWindow) shutdown() {
	w.stopMonitor()
	if !w.stopped {
		w.stopped = true
		close(w.stop)
	}
}

func (w *mainWindow) onCloseRequest() {
	if w.phase == phaseIdle {
		w.shutdown()
		w.win.Close()
		return
	}
	w.confirmEnd("End the stream and quit GoLive?", func() {
		w.endStream(func() {
			w.shutdown()
			w.win.Close()
		})
	})
}
