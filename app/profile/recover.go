package profile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// recoverFrom moves a bad profiles file aside (mode 0600: it may hold
// keys) and returns the newest valid backup's profiles, or the defaults
// when no backup is valid (the backup is then moved aside too, so the
// next save does not replace it). If the file cannot be moved, the store
// becomes read-only so the file is never overwritten. One notice says
// what happened.
func (s *Store) recoverFrom(problem string) fileDoc {
	path := s.Path()
	now := s.Now()
	s.lastRaw = nil
	bak, doc, bakErr := s.newestValidBackup()
	moved, err := moveAside(path, "corrupt", now)
	if err != nil {
		s.readOnly = fmt.Sprintf("the profiles file %s %s and could not be moved aside (%v)", path, problem, err)
		using := "the default profile"
		if bakErr == nil {
			using = "the profiles of the backup " + bak
		} else {
			doc = defaultDoc()
		}
		s.notify("The profiles file %s %s. It could not be moved aside (%v), so GoLive will not save profiles in this session; it is using %s.",
			path, problem, err, using)
		return doc
	}
	keepPrivate(moved)
	if bakErr == nil {
		when := ""
		if fi, err := os.Stat(bak); err == nil {
			when = " saved " + fi.ModTime().Format("2006-01-02 15:04:05")
		}
		s.notify("The profiles file %s %s. It was moved to %s (readable only by you) and GoLive restored your profiles from the backup %s%s.",
			path, problem, moved, bak, when)
		return doc
	}
	msg := fmt.Sprintf("The profiles file %s %s. It was moved to %s and GoLive started with the default profile.", path, problem, moved)
	if _, err := os.Stat(s.backupPath()); err == nil {
		if kept, err := moveAside(s.backupPath(), "kept", now); err == nil {
			keepPrivate(kept)
			msg += fmt.Sprintf(" The backup of the previous save (%v) is kept as %s.", bakErr, kept)
		}
	}
	s.notify("%s", msg)
	return defaultDoc()
}

// newestValidBackup looks at profiles.json.bak and the backups kept aside
// by earlier recoveries (profiles.json.bak.kept-*), newest first, and
// returns the first that reads as a valid profiles file.
func (s *Store) newestValidBackup() (string, fileDoc, error) {
	kept, _ := filepath.Glob(s.backupPath() + ".kept-*")
	type cand struct {
		path string
		mod  time.Time
	}
	var cands []cand
	for _, p := range append([]string{s.backupPath()}, kept...) {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			cands = append(cands, cand{p, fi.ModTime()})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].mod.After(cands[j].mod) })
	lastErr := errors.New("no backup")
	for _, c := range cands {
		data, err := os.ReadFile(c.path)
		if err != nil {
			lastErr = err
			continue
		}
		doc, _, err := parseDoc(data)
		if err != nil {
			lastErr = fmt.Errorf("%s %w", filepath.Base(c.path), err)
			continue
		}
		if len(doc.Profiles) == 0 {
			lastErr = fmt.Errorf("%s holds no profile", filepath.Base(c.path))
			continue
		}
		dedupeNames(&doc)
		return c.path, doc, nil
	}
	return "", fileDoc{}, lastErr
}

// keepPrivate makes a file GoLive keeps aside readable by its owner only:
// a profiles file may hold stream keys.
func keepPrivate(path string) {
	if os.PathSeparator == '\\' {
		return
	}
	_ = os.Chmod(path, 0o600)
}

// tightenDir makes the configuration folder 0700 when it is looser: it
// holds the profiles, their backups and files kept aside.
func (s *Store) tightenDir() {
	fi, err := os.Stat(s.Dir)
	if err != nil || fi.Mode().Perm()&0o077 == 0 || os.PathSeparator == '\\' {
		return
	}
	if err := os.Chmod(s.Dir, 0o700); err != nil {
		s.Logger.Warn("cannot make the configuration folder private", "dir", s.Dir, "err", err)
		return
	}
	s.Logger.Info("configuration folder made private (mode 0700)", "dir", s.Dir, "was", fmt.Sprintf("%o", fi.Mode().Perm()))
}
