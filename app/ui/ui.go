// Package ui is GoLive's window (Fyne): preview, sources, encoder,
// destinations of the chosen profile with their live state, profiles, the
// Go Live button and the status bar. It is the only package that imports
// Fyne. Engine goroutines never touch widgets: the window polls a stats
// snapshot once a second, the preview and level meter up to ten times a
// second (fewer when repainting the window is expensive, see pacer), and
// blocking work comes back through onMain (onmain.go).
package ui

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"time"

	"fyne.io/fyne/v2/app"
)

// AppID is GoLive's application ID (preferences, FyneApp.toml).
const AppID = "io.golive.app"

// Options configure Run.
type Options struct {
	// ConfigDir holds the profiles ("" = the user's config directory).
	ConfigDir string
	Logger    *slog.Logger
	// MetricsAddr serves Prometheus metrics of the window's stream on
	// HOST:PORT/metrics (`golive --metrics ADDR`; "" = none).
	MetricsAddr string
	// UploadKbps is the user's upload capacity; Go Live warns above 80%
	// of it (0 = unknown: warn above 20 Mb/s).
	UploadKbps int
	// GoLiveAfter, when set, presses Go Live that long after the window
	// opens (smoke tests, screenshots of the live window).
	GoLiveAfter time.Duration
	// QuitAfter, when set, ends any stream and quits that long after the
	// window opens, so `import -window root` can capture it meanwhile.
	// Both can also come from the environment: GOLIVE_UI_GO_LIVE_AFTER
	// and GOLIVE_UI_QUIT_AFTER (Go durations, "3s").
	QuitAfter time.Duration
	// LayoutReport, when set (or $GOLIVE_UI_LAYOUT_REPORT), is a file
	// the window rewrites each second with where its controls are.
	LayoutReport string
	// Store and Engine replace the profile store and the session engine
	// (tests); nil means the real ones under ConfigDir.
	Store  Store
	Engine Engine
}

// Run opens the window and returns when it is closed. It must be called
// from the main goroutine. While a locked OS keychain is waited for, a
// small window says so; the main window opens once it is unlocked.
func Run(opts Options) error {
	if err := CheckDisplay(); err != nil {
		return err
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	opts.fromEnv()
	a := app.NewWithID(AppID)
	a.Settings().SetTheme(newTheme())
	a.SetIcon(resourceIconPng)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var w *mainWindow
	var runErr error
	open := func(store Store, engine Engine, err error) {
		if err == nil {
			w, err = newMainWindow(a, store, engine, opts)
		}
		if err != nil {
			runErr = err
			a.Quit()
			return
		}
		w.startTicker()
		w.scheduleAutomation()
		w.win.Show()
		w.fitToScreen() // at the scale the shown window got
	}
	store, engine, waited, err := opts.openBackend(ctx, a, open)
	if err != nil {
		return err
	}
	if !waited {
		if open(store, engine, nil); runErr != nil {
			return runErr
		}
	}
	a.Run()
	if w != nil {
		// A goAsync result may still be arriving: Fyne runs it inline
		// on its goroutine once its loop has ended.
		var live Live
		onMainWait(func() { w.shutdown(); live = w.live })
		if live != nil {
			live.Close()
		}
		<-w.tickerDone
	}
	return runErr
}

// Environment variables read by Run when the options leave them unset.
const (
	EnvGoLiveAfter = "GOLIVE_UI_GO_LIVE_AFTER"
	EnvQuitAfter   = "GOLIVE_UI_QUIT_AFTER"
)

// fromEnv fills GoLiveAfter and QuitAfter from the environment.
func (o *Options) fromEnv() {
	for _, v := range []struct {
		name string
		dst  *time.Duration
	}{{EnvGoLiveAfter, &o.GoLiveAfter}, {EnvQuitAfter, &o.QuitAfter}} {
		if *v.dst != 0 || os.Getenv(v.name) == "" {
			continue
		}
		d, err := time.ParseDuration(os.Getenv(v.name))
		if err != nil {
			o.Logger.Warn("ignoring a bad duration", "var", v.name, "err", err)
			continue
		}
		*v.dst = d
	}
	if o.LayoutReport == "" {
		o.LayoutReport = os.Getenv(EnvLayoutReport)
	}
}

// backend returns the configured store and engine (tests).
func (o Options) backend() (Store, Engine, error) {
	if o.Store == nil || o.Engine == nil {
		return nil, nil, errors.New("ui options: set both Store and Engine, or neither")
	}
	return o.Store, o.Engine, nil
}

// scheduleAutomation arms GoLiveAfter and QuitAfter.
func (w *mainWindow) scheduleAutomation() {
	if d := w.opts.GoLiveAfter; d > 0 {
		time.AfterFunc(d, func() {
			onMain(func() {
				if w.phase == phaseIdle {
					w.requestGoLive()
				}
			})
		})
	}
	if d := w.opts.QuitAfter; d > 0 {
		time.AfterFunc(d, func() { onMain(w.quit) })
	}
}

// quit ends any stream without asking, then closes the window.
func (w *mainWindow) quit() {
	switch w.phase {
	case phaseLive:
		w.endStream(w.quit)
	case phaseIdle:
		w.shutdown()
		w.app.Quit()
	default:
		time.AfterFunc(200*time.Millisecond, func() { onMain(w.quit) })
	}
}
