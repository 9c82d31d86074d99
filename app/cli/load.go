package cli

import (
	"context"
	"fmt"

	"golive/app/profile"
)

// loadProfile reads the named profile from the store, with its keys.
func loadProfile(ctx context.Context, name string, env Env) (profile.Profile, error) {
	st := &profile.Store{Dir: env.ConfigDir, Keyring: env.Keyring, Logger: env.Logger, Context: ctx, OnKeychainWait: keychainWaitNote(env)}
	if err := st.Open(); err != nil {
		return profile.Profile{}, fmt.Errorf("opening profiles: %w", err)
	}
	defer st.Close()
	for _, n := range st.Notices() {
		fmt.Fprintln(env.Stderr, "golive: "+n)
	}
	p, err := st.Get(name)
	if err != nil {
		return profile.Profile{}, &UsageError{Err: err}
	}
	return p, nil
}

// saveRestoreToken keeps the desktop portal's new restore token in the
// profile, so that the next session shares the same monitor without
// asking. A failure is reported, not fatal: the stream is already live.
func saveRestoreToken(_ context.Context, name, token string, env Env) {
	if token == "" {
		return
	}
	st := &profile.Store{Dir: env.ConfigDir, Keyring: env.Keyring, Logger: env.Logger}
	if err := st.Open(); err != nil {
		env.Logger.Warn("cannot save the screen sharing permission", "profile", name, "err", err)
		return
	}
	defer st.Close()
	p, err := st.Get(name)
	if err != nil || p.Capture.PortalRestoreToken == token {
		return
	}
	p.Capture.PortalRestoreToken = token
	if err := st.Put(p); err != nil {
		env.Logger.Warn("cannot save the screen sharing permission", "profile", name, "err", err)
	}
}
