package ui

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"golive/app/control"
	"golive/app/profile"
)

// Settings → Remote control: the window's obs-websocket 5 server (off by
// default) and its Prometheus metrics. The password is generated once and
// kept like a stream key (control.StoredPassword); the dialog shows it
// masked, with a copy button.

// Preference keys.
const (
	prefRemoteOn    = "remote.enabled"
	prefRemoteAddr  = "remote.listen"
	prefMetricsAddr = "remote.metrics"
)

// remoteControl owns the servers it starts; they stop with the window.
type remoteControl struct {
	w   *mainWindow
	ctl *windowController

	mu       sync.Mutex
	password string
	cancel   context.CancelFunc
	done     chan struct{}
	status   string
}

// setupRemote adds Settings → Remote control to the window and starts the
// server when the user left it on.
func (w *mainWindow) setupRemote() {
	r := &remoteControl{w: w, ctl: &windowController{w: w}}
	w.win.SetMainMenu(fyne.NewMainMenu(fyne.NewMenu("Settings",
		fyne.NewMenuItem("Remote control…", r.show))))
	stopMetrics := r.startMetrics(w.opts.MetricsAddr)
	go func() { // stops the servers with the window
		<-w.stop
		r.stopServers()
		stopMetrics()
	}()
	if w.app.Preferences().Bool(prefRemoteOn) {
		r.start(w.app.Preferences().StringWithFallback(prefRemoteAddr, control.DefaultAddr),
			w.app.Preferences().String(prefMetricsAddr), nil)
	}
}

// startMetrics serves the window's metrics on addr ("" = none) until the
// returned stop is called.
func (r *remoteControl) startMetrics(addr string) (stop func()) {
	if addr == "" {
		return func() {}
	}
	ms := &control.MetricsServer{Addr: addr, Source: r.ctl.stats, Logger: r.w.log}
	if err := ms.Initialize(); err != nil {
		r.w.notices.Set("metrics", err.Error(), levelWarning)
		return func() {}
	}
	r.w.log.Info("metrics", "url", "http://"+ms.ListenAddr()+"/metrics")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := ms.Run(ctx); err != nil {
			r.w.log.Warn("metrics server stopped", "err", err)
		}
	}()
	return func() { cancel(); <-done }
}

// loadPassword returns the stored password, generating it the first time.
func (r *remoteControl) loadPassword(ctx context.Context) (string, error) {
	r.mu.Lock()
	pw := r.password
	r.mu.Unlock()
	if pw != "" {
		return pw, nil
	}
	kr, err := profile.OpenSystemKeyring(profile.SystemOptions{Context: ctx})
	if errors.Is(err, profile.ErrNoKeychain) {
		kr, err = profile.NoKeyring{Reason: err.Error()}, nil
	}
	if err != nil {
		return "", err
	}
	pw, _, err = control.StoredPassword(r.w.opts.ConfigDir, kr)
	if err != nil {
		return "", err
	}
	r.mu.Lock()
	r.password = pw
	r.mu.Unlock()
	return pw, nil
}

// start runs the server (and the metrics) off Fyne's goroutine; done is
// called on Fyne's goroutine with the outcome. The running server is
// stopped off Fyne's goroutine too: stopping waits for its goroutines,
// which may be waiting for a hop to the window.
func (r *remoteControl) start(addr, metricsAddr string, done func(error)) {
	r.w.goAsync(func() func() {
		r.stopServers()
		err := r.run(addr, metricsAddr)
		return func() {
			if err != nil {
				r.w.notices.Set("remote", "Remote control: "+err.Error(), levelWarning)
			} else {
				r.w.notices.Clear("remote")
			}
			if done != nil {
				done(err)
			}
		}
	})
}

func (r *remoteControl) run(addr, metricsAddr string) error {
	ctx, cancel := context.WithCancel(context.Background())
	pw, err := r.loadPassword(ctx)
	if err != nil {
		cancel()
		return fmt.Errorf("password: %w", err)
	}
	srv := &control.Server{Addr: addr, Password: pw, Controller: r.ctl, Version: r.w.app.Metadata().Version, Logger: r.w.log}
	if err := srv.Initialize(); err != nil {
		cancel()
		return err
	}
	var ms *control.MetricsServer
	if metricsAddr != "" {
		ms = &control.MetricsServer{Addr: metricsAddr, Source: r.ctl.stats, Logger: r.w.log}
		if err := ms.Initialize(); err != nil {
			cancel()
			_ = srv.Run(ctx) // closes the listener at once
			return err
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); r.ctl.watch(ctx.Done()) }()
		if ms != nil {
			wg.Add(1)
			go func() { defer wg.Done(); _ = ms.Run(ctx) }()
		}
		if err := srv.Run(ctx); err != nil {
			r.w.log.Warn("remote control stopped", "err", err)
		}
		wg.Wait()
	}()
	r.mu.Lock()
	r.cancel, r.done = cancel, done
	r.status = "Listening on ws://" + srv.ListenAddr()
	if ms != nil {
		r.status += ", metrics on http://" + ms.ListenAddr() + "/metrics"
	}
	r.mu.Unlock()
	return nil
}

// stopServers stops what start started and waits for it.
func (r *remoteControl) stopServers() {
	r.mu.Lock()
	cancel, done := r.cancel, r.done
	r.cancel, r.done, r.status = nil, nil, ""
	r.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// show opens the Remote control dialog.
func (r *remoteControl) show() {
	prefs := r.w.app.Preferences()
	on := widget.NewCheck("Let obs-websocket 5 clients (Stream Deck, Touch Portal, Streamer.bot) control GoLive", nil)
	on.SetChecked(prefs.Bool(prefRemoteOn))
	addr := widget.NewEntry()
	addr.SetText(prefs.StringWithFallback(prefRemoteAddr, control.DefaultAddr))
	metrics := widget.NewEntry()
	metrics.SetPlaceHolder("off (e.g. 127.0.0.1:9090)")
	metrics.SetText(prefs.String(prefMetricsAddr))
	pw := widget.NewPasswordEntry() // masked; its eye button shows it
	copyBtn := widget.NewButton("Copy password", nil)
	copyBtn.Disable()
	r.mu.Lock()
	status := widget.NewLabel(r.status)
	r.mu.Unlock()
	status.Wrapping = fyne.TextWrapWord
	r.w.goAsync(func() func() {
		p, err := r.loadPassword(context.Background())
		return func() {
			if err != nil {
				status.SetText("Password: " + err.Error())
				return
			}
			pw.SetText(p)
			copyBtn.OnTapped = func() { r.w.app.Clipboard().SetContent(p) }
			copyBtn.Enable()
		}
	})
	form := widget.NewForm(widget.NewFormItem("Address", addr), widget.NewFormItem("Password", pw),
		widget.NewFormItem("", copyBtn), widget.NewFormItem("Metrics", metrics))
	content := container.NewVBox(on, form, status)
	d := dialog.NewCustomConfirm("Remote control", "Apply", "Close", content, func(ok bool) {
		if !ok {
			return
		}
		prefs.SetBool(prefRemoteOn, on.Checked)
		prefs.SetString(prefRemoteAddr, addr.Text)
		prefs.SetString(prefMetricsAddr, metrics.Text)
		if !on.Checked {
			go r.stopServers()
			return
		}
		r.start(addr.Text, metrics.Text, func(err error) {
			if err != nil {
				r.w.showError("Remote control", err)
			}
		})
	}, r.w.win)
	r.w.showModal(d, fyne.NewSize(560, 320), nil, nil)
}
