package profile

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"golive/app/secret"
)

// resolveKeys fills RTMP keys from the keychain and registers every key
// with the secret registry. It returns true when the file should be
// rewritten (keys found in the file while a keychain is available move
// into it).
func (s *Store) resolveKeys(doc *fileDoc) (rewrite bool) {
	for pi := range doc.Profiles {
		p := &doc.Profiles[pi]
		for di := range p.Destinations {
			key, ref, ok := p.Destinations[di].secretFields()
			if !ok {
				continue
			}
			switch {
			case *key != "":
				if s.keyring != nil {
					rewrite = true
				}
			case *ref != "" && s.keyring == nil:
				s.notify("The stream key of %q in profile %q is in the OS keychain, which is not available now (%s); set the key again or start GoLive where the keychain is available.",
					p.Destinations[di].Name, p.Name, s.keyringErr)
			case *ref != "":
				s.loadKey(p, di)
			}
			s.Secrets.Register(*key)
			s.Secrets.Register(p.Destinations[di].urlSecrets()...)
		}
	}
	return rewrite
}

func (s *Store) loadKey(p *Profile, di int) {
	key, ref, _ := p.Destinations[di].secretFields()
	if k, ok := s.keyCache[*ref]; ok {
		*key = k
		return
	}
	k, err := s.keyring.Get(KeyringService, *ref)
	switch {
	case err == nil:
		*key = k
		s.cacheKey(*ref, k)
	case errors.Is(err, ErrKeyNotFound):
		s.notify("The stream key of %q in profile %q is missing from the OS keychain; set it again.",
			p.Destinations[di].Name, p.Name)
	default:
		s.notify("The stream key of %q in profile %q could not be read from the OS keychain: %v",
			p.Destinations[di].Name, p.Name, err)
	}
}

func (s *Store) cacheKey(ref, key string) {
	if s.keyCache == nil {
		s.keyCache = make(map[string]string)
	}
	s.keyCache[ref] = key
}

// writeLocked saves doc (the caller holds the lock): keys go to the
// keychain or, without one, into the file; doc gets the keychain
// references. Keychain entries no longer referenced are deleted after the
// file is safely written.
func (s *Store) writeLocked(doc *fileDoc) error {
	if s.readOnly != "" {
		return fmt.Errorf("%w: %s", ErrReadOnly, s.readOnly)
	}
	out := doc.clone()
	keysInFile := false
	used := make(map[string]bool)
	for pi := range doc.Profiles {
		for di := range doc.Profiles[pi].Destinations {
			key, ref, ok := doc.Profiles[pi].Destinations[di].secretFields()
			if !ok {
				continue
			}
			oKey, oRef, _ := out.Profiles[pi].Destinations[di].secretFields()
			s.Secrets.Register(*key)
			s.Secrets.Register(doc.Profiles[pi].Destinations[di].urlSecrets()...)
			if *key == "" && s.keyring != nil {
				// Cleared by the user (or missing from the keychain).
				*ref, *oRef = "", ""
			}
			if *key != "" && s.keyring != nil {
				if err := s.storeKey(key, ref); err != nil {
					return fmt.Errorf("the OS keychain did not store the stream key of %q (nothing was saved): %w",
						doc.Profiles[pi].Destinations[di].Name, err)
				}
				*oKey, *oRef = "", *ref
			} else if *key != "" {
				*oKey, *oRef = *key, ""
				keysInFile = true
			}
			if *oRef != "" {
				used[*oRef] = true
			}
		}
	}
	if keysInFile && !doc.KeysInFileWarned {
		s.notify("No OS keychain is available (%s): stream keys are stored in %s, readable only by you (mode 0600). Keep this file private.",
			s.keyringErr, s.Path())
		doc.KeysInFileWarned, out.KeysInFileWarned = true, true
	}
	data, err := encodeDoc(out)
	if err != nil {
		return fmt.Errorf("encode profiles: %w", err)
	}
	if err := writeAtomic(s.Path(), data, s.backupPath(), s.beforeRename); err != nil {
		return fmt.Errorf("save profiles: %w", err)
	}
	s.lastRaw = data
	s.deleteUnusedKeys(used)
	return nil
}

// storeKey puts *key in the keychain under *ref (made if empty). A
// keychain that fails is an error: the key never moves to the file
// behind the user's back.
func (s *Store) storeKey(key, ref *string) error {
	if *ref == "" {
		*ref = newKeyRef()
	}
	if k, ok := s.keyCache[*ref]; ok && k == *key {
		return nil
	}
	if err := s.keyring.Set(KeyringService, *ref, *key); err != nil {
		return secret.RedactError(err, s.Secrets)
	}
	s.cacheKey(*ref, *key)
	return nil
}

func (s *Store) deleteUnusedKeys(used map[string]bool) {
	if s.keyring == nil {
		return
	}
	for ref := range s.keyCache {
		if used[ref] {
			continue
		}
		if err := s.keyring.Delete(KeyringService, ref); err != nil && !errors.Is(err, ErrKeyNotFound) {
			s.Logger.Warn("could not delete an unused stream key from the keychain", "ref", ref, "err", err)
			continue
		}
		delete(s.keyCache, ref)
	}
}

// mutate applies fn to the current file content and saves the result, all
// under the lock. If another process changed the file since this store
// last read it, fn sees that newer content.
func (s *Store) mutate(fn func(doc *fileDoc) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.opened {
		return ErrNotOpen
	}
	if s.readOnly != "" {
		return fmt.Errorf("%w: %s", ErrReadOnly, s.readOnly)
	}
	release, err := acquireLock(s.Dir)
	if err != nil {
		return err
	}
	defer release()
	doc := s.doc
	if s.lastRaw == nil || !sameContent(s.Path(), s.lastRaw) {
		doc, _ = s.readDoc()
		s.resolveKeys(&doc)
		s.doc = doc
		if s.readOnly != "" {
			return fmt.Errorf("%w: %s", ErrReadOnly, s.readOnly)
		}
	}
	work := doc.clone()
	if err := fn(&work); err != nil {
		return err
	}
	if err := s.writeLocked(&work); err != nil {
		return err
	}
	s.doc = work
	return nil
}

// refresh re-reads the file if another process changed it.
func (s *Store) refresh() {
	if !s.opened || s.readOnly != "" || (s.lastRaw != nil && sameContent(s.Path(), s.lastRaw)) {
		return
	}
	if _, err := os.Stat(s.Path()); err != nil {
		return
	}
	release, err := acquireLock(s.Dir)
	if err != nil {
		return
	}
	defer release()
	doc, write := s.readDoc()
	if s.resolveKeys(&doc) {
		write = true
	}
	if write && s.readOnly == "" {
		if s.writeLocked(&doc) != nil {
			return
		}
	}
	s.doc = doc
}

func foldName(n string) string { return strings.ToLower(strings.TrimSpace(n)) }
