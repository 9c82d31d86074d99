package profile

import (
	"fmt"
	"strings"
)

// List returns copies of every profile, in file order.
func (s *Store) List() []Profile {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refresh()
	out := make([]Profile, len(s.doc.Profiles))
	for i, p := range s.doc.Profiles {
		out[i] = p.Clone()
	}
	return out
}

// Names returns the profile names, in file order.
func (s *Store) Names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refresh()
	return names(&s.doc)
}

func names(doc *fileDoc) []string {
	n := make([]string, len(doc.Profiles))
	for i, p := range doc.Profiles {
		n[i] = p.Name
	}
	return n
}

// find returns the index of the profile called name (exact match first,
// then case-insensitive), or -1.
func find(doc *fileDoc, name string) int {
	for i, p := range doc.Profiles {
		if p.Name == name {
			return i
		}
	}
	for i, p := range doc.Profiles {
		if foldName(p.Name) == foldName(name) {
			return i
		}
	}
	return -1
}

func notFound(doc *fileDoc, name string) error {
	have := names(doc)
	if len(have) == 0 {
		return fmt.Errorf("%w: %q (there are no profiles)", ErrNotFound, name)
	}
	return fmt.Errorf("%w: %q (profiles: %s)", ErrNotFound, name, strings.Join(have, ", "))
}

// Get returns a copy of the profile called name, keys included.
func (s *Store) Get(name string) (Profile, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.opened {
		return Profile{}, ErrNotOpen
	}
	s.refresh()
	i := find(&s.doc, name)
	if i < 0 {
		return Profile{}, notFound(&s.doc, name)
	}
	return s.doc.Profiles[i].Clone(), nil
}

// prepare normalizes and validates p for saving.
func prepare(p *Profile) error {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return fmt.Errorf("profile %q is not valid:\n%w", p.Name, err)
	}
	return nil
}

// Add saves a new profile; ErrExists if the name is taken.
func (s *Store) Add(p Profile) error {
	p = p.Clone()
	if err := prepare(&p); err != nil {
		return err
	}
	return s.mutate(func(doc *fileDoc) error {
		if find(doc, p.Name) >= 0 {
			return fmt.Errorf("%w: %q", ErrExists, p.Name)
		}
		doc.Profiles = append(doc.Profiles, p)
		return nil
	})
}

// Put saves p, replacing the profile of the same name or adding it.
func (s *Store) Put(p Profile) error {
	p = p.Clone()
	if err := prepare(&p); err != nil {
		return err
	}
	return s.mutate(func(doc *fileDoc) error {
		if i := find(doc, p.Name); i >= 0 {
			keepKeyRefs(&doc.Profiles[i], &p)
			doc.Profiles[i] = p
		} else {
			doc.Profiles = append(doc.Profiles, p)
		}
		return nil
	})
}

// Update replaces the profile called oldName by p, which may have a new
// name (an edit in the UI that also renamed it).
func (s *Store) Update(oldName string, p Profile) error {
	p = p.Clone()
	if err := prepare(&p); err != nil {
		return err
	}
	return s.mutate(func(doc *fileDoc) error {
		i := find(doc, oldName)
		if i < 0 {
			return notFound(doc, oldName)
		}
		if j := find(doc, p.Name); j >= 0 && j != i {
			return fmt.Errorf("%w: %q", ErrExists, p.Name)
		}
		keepKeyRefs(&doc.Profiles[i], &p)
		if doc.Selected == doc.Profiles[i].Name {
			doc.Selected = p.Name
		}
		doc.Profiles[i] = p
		return nil
	})
}

// keepKeyRefs reuses the keychain entries of same-named destinations so
// an edit does not create new entries.
func keepKeyRefs(old, p *Profile) {
	for i := range p.Destinations {
		_, ref, ok := p.Destinations[i].secretFields()
		if !ok || *ref != "" {
			continue
		}
		if od, found := old.Destination(p.Destinations[i].Name); found && od.Kind == p.Destinations[i].Kind {
			if _, oref, ok := od.secretFields(); ok {
				*ref = *oref
			}
		}
	}
}

// Delete removes a profile (and its keys from the keychain).
func (s *Store) Delete(name string) error {
	return s.mutate(func(doc *fileDoc) error {
		i := find(doc, name)
		if i < 0 {
			return notFound(doc, name)
		}
		if doc.Selected == doc.Profiles[i].Name {
			doc.Selected = ""
			if len(doc.Profiles) > 1 {
				doc.Selected = doc.Profiles[(i+1)%len(doc.Profiles)].Name
			}
		}
		doc.Profiles = append(doc.Profiles[:i], doc.Profiles[i+1:]...)
		return nil
	})
}

// Rename changes a profile's name.
func (s *Store) Rename(oldName, newName string) error {
	newName = strings.TrimSpace(newName)
	if msg := checkName(newName); msg != "" {
		return &FieldError{Dest: -1, Field: "name", Message: "new profile " + msg}
	}
	return s.mutate(func(doc *fileDoc) error {
		i := find(doc, oldName)
		if i < 0 {
			return notFound(doc, oldName)
		}
		if j := find(doc, newName); j >= 0 && j != i {
			return fmt.Errorf("%w: %q", ErrExists, newName)
		}
		if doc.Selected == doc.Profiles[i].Name {
			doc.Selected = newName
		}
		doc.Profiles[i].Name = newName
		return nil
	})
}

// Selected returns the last-used profile's name ("" if none).
func (s *Store) Selected() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refresh()
	if find(&s.doc, s.doc.Selected) < 0 {
		if len(s.doc.Profiles) > 0 {
			return s.doc.Profiles[0].Name
		}
		return ""
	}
	return s.doc.Selected
}

// SelectedProfile returns the last-used profile (or the first one).
func (s *Store) SelectedProfile() (Profile, error) {
	name := s.Selected()
	if name == "" {
		return Profile{}, fmt.Errorf("%w: there are no profiles", ErrNotFound)
	}
	return s.Get(name)
}

// Select records name as the last-used profile.
func (s *Store) Select(name string) error {
	return s.mutate(func(doc *fileDoc) error {
		i := find(doc, name)
		if i < 0 {
			return notFound(doc, name)
		}
		doc.Selected = doc.Profiles[i].Name
		return nil
	})
}
