package ui

import "golive/app/profile"

// profileStore adapts profile.Store to the window's Store.
type profileStore struct{ s *profile.Store }

func (p profileStore) List() []string                           { return p.s.Names() }
func (p profileStore) Get(name string) (profile.Profile, error) { return p.s.Get(name) }
func (p profileStore) Put(pr profile.Profile) error             { return p.s.Put(pr) }
func (p profileStore) Delete(name string) error                 { return p.s.Delete(name) }
func (p profileStore) Rename(from, to string) error             { return p.s.Rename(from, to) }
func (p profileStore) Selected() string                         { return p.s.Selected() }
func (p profileStore) Select(name string) error                 { return p.s.Select(name) }

// Export writes the profile to path, with its stream keys or not.
func (p profileStore) Export(name, path string, withKeys bool) error {
	return p.s.Export(name, path, withKeys)
}

// Import adds the profile under opt.Name (or its own) or replaces one of
// the same name when opt.Replace; else an existing one is not touched.
func (p profileStore) Import(path string, opt profile.ImportOptions) (string, error) {
	pr, err := p.s.Import(path, opt)
	return pr.Name, err
}

// KeyStore says where stream keys are kept (the destination dialog shows
// it under the key field).
func (p profileStore) KeyStore() string { return p.s.KeyStore() }

// Notices returns the store's messages for the user (keys left in the
// file, a corrupt file moved aside, an import without keys).
func (p profileStore) Notices() []string { return p.s.Notices() }
