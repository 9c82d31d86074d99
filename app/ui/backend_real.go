package ui

import "golive/app/profile"

// newRealBackend opens the profile store under o.ConfigDir and the
// session engine.
func newRealBackend(o Options) (Store, Engine, error) {
	s := &profile.Store{Dir: o.ConfigDir, Logger: o.Logger}
	if err := s.Open(); err != nil {
		return nil, nil, err
	}
	return profileStore{s}, &sessionEngine{log: o.Logger}, nil
}
