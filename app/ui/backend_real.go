package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"golive/app/profile"
)

// newRealBackend opens the profile store under o.ConfigDir and the
// session engine. onWait is called when the OS keychain is locked and the
// store waits for it (until it is unlocked or ctx ends).
func newRealBackend(ctx context.Context, o Options, onWait func(string)) (Store, Engine, error) {
	s := &profile.Store{Dir: o.ConfigDir, Logger: o.Logger, Context: ctx, OnKeychainWait: onWait}
	if err := s.Open(); err != nil {
		return nil, nil, err
	}
	return profileStore{s}, &sessionEngine{log: o.Logger}, nil
}

type backendResult struct {
	store  Store
	engine Engine
	err    error
}

// openBackend returns the store and the engine. When the OS keychain is
// locked, it instead shows a small window saying that GoLive waits for it
// to be unlocked (the desktop's prompt is up meanwhile), returns waited,
// and calls ready in the UI loop once the store is open.
func (o Options) openBackend(ctx context.Context, a fyne.App, ready func(Store, Engine, error)) (
	store Store, engine Engine, waited bool, err error) {
	if o.Store != nil || o.Engine != nil {
		store, engine, err = o.backend()
		return store, engine, false, err
	}
	waiting := make(chan struct{}, 1)
	res := make(chan backendResult, 1)
	// Ends when Open does: unlocked, or ctx (Run's) ended.
	go func() {
		s, e, err := newRealBackend(ctx, o, func(string) {
			select {
			case waiting <- struct{}{}:
			default:
			}
		})
		res <- backendResult{s, e, err}
	}()
	select {
	case r := <-res:
		return r.store, r.engine, false, r.err
	case <-waiting:
	}
	note := a.NewWindow("GoLive — " + profile.KeychainWaitNote)
	note.SetContent(container.NewPadded(widget.NewLabel("GoLive is " + profile.KeychainWaitNote +
		".\nUnlock it in the prompt on your screen: the window opens then.")))
	note.Show()
	// Ends once the store is open (or failed, or Run ended: ctx): it
	// hands over to the UI loop while that still runs.
	go func() {
		r := <-res
		if ctx.Err() != nil {
			return
		}
		onMain(func() {
			ready(r.store, r.engine, r.err)
			note.Close()
		})
	}()
	return nil, nil, true, nil
}
