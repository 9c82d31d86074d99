package cli

import (
	"context"
	"fmt"

	"golive/app/profile"
)

// loadProfile reads the named profile from the store, with its keys.
func loadProfile(_ context.Context, name string, env Env) (profile.Profile, error) {
	st := &profile.Store{Dir: env.ConfigDir, Logger: env.Logger}
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
