package profile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golive/app/secret"
)

// Errors returned by Store operations (wrapped with details).
var (
	ErrNotFound = errors.New("profile not found")
	ErrExists   = errors.New("profile already exists")
	ErrReadOnly = errors.New("profiles file is read-only for this session")
	ErrNotOpen  = errors.New("profile store is not open")
)

// ConfigDirEnv overrides the configuration directory (tests, portable use).
const ConfigDirEnv = "GOLIVE_CONFIG_DIR"

// DefaultDir returns $GOLIVE_CONFIG_DIR, or os.UserConfigDir()/golive.
func DefaultDir() (string, error) {
	if d := os.Getenv(ConfigDirEnv); d != "" {
		return d, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the configuration directory (set %s or --config-dir): %w", ConfigDirEnv, err)
	}
	return filepath.Join(base, "golive"), nil
}

// Store is the profiles file. Fill the exported fields, call Open, then
// use the methods; they are safe for concurrent use. Every change
// re-reads the file under a lock first, so changes made meanwhile by
// another GoLive process are kept.
type Store struct {
	// Dir holds profiles.json ("" = DefaultDir()).
	Dir string
	// Keyring stores stream keys; nil detects the OS keychain and falls
	// back to the file (mode 0600, with a one-time warning) only when the
	// machine has none. A locked keychain is waited for (OnKeychainWait).
	Keyring Keyring
	// Context ends a wait for a locked OS keychain (nil: no end).
	Context context.Context
	// OnKeychainWait is called with KeychainWaitNote when the OS keychain
	// is locked and the store waits for the user to unlock it (nil: log).
	OnKeychainWait func(note string)
	Logger         *slog.Logger
	// Secrets receives every stream key loaded or saved, so the
	// redacting log handler hides them (nil = secret.Default).
	Secrets *secret.Registry
	// Now is the clock used for moved-aside file names (nil = time.Now).
	Now func() time.Time

	mu          sync.Mutex
	opened      bool
	doc         fileDoc
	lastRaw     []byte // the file content s.doc was read from or written as
	keyring     Keyring
	keyringErr  string
	keyringKind string            // where keys go when keyring is set (KeyStore)
	keyCache    map[string]string // keychain ref -> key known to be stored
	notices     []string
	readOnly    string
	// beforeRename is a test hook run between writing the temporary file
	// and renaming it over the profiles file.
	beforeRename func() error
}

// Path returns the profiles file path.
func (s *Store) Path() string { return filepath.Join(s.Dir, FileName) }

func (s *Store) backupPath() string { return s.Path() + ".bak" }

// Open creates the directory if needed (mode 0700, and tightens a looser
// one) and loads the file: on first start it writes the "Local preview"
// profile; a corrupt or unreadable file is moved aside (mode 0600) and the
// newest valid backup restored, or the defaults used without one (see
// Notices); an older schema is migrated (the old file stays as the .bak
// backup).
func (s *Store) Open() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Dir == "" {
		d, err := DefaultDir()
		if err != nil {
			return err
		}
		s.Dir = d
	}
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	if s.Secrets == nil {
		s.Secrets = secret.Default
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return fmt.Errorf("create config directory: %w", err)
	}
	s.tightenDir()
	if err := s.resolveKeyring(); err != nil {
		return err
	}
	release, err := acquireLock(s.Dir)
	if err != nil {
		return err
	}
	defer release()
	if n := removeStaleTemps(s.Dir); n > 0 {
		s.Logger.Info("removed temporary files of an interrupted save", "count", n, "dir", s.Dir)
	}
	doc, write := s.readDoc()
	if s.resolveKeys(&doc) {
		write = true
	}
	s.doc = doc
	s.opened = true
	if write && s.readOnly == "" {
		if err := s.writeLocked(&doc); err != nil {
			return err
		}
		s.doc = doc
	}
	return nil
}

// Close releases the store. Nothing is held between operations, so it
// only marks the store closed.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opened = false
	return nil
}

// Notices returns, once, the messages the user must see: a file moved
// aside, a migration, keys stored in the file for lack of a keychain, a
// key missing from the keychain. Show them in the UI or on stderr.
func (s *Store) Notices() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.notices
	s.notices = nil
	return n
}

func (s *Store) notify(format string, args ...any) {
	msg := s.Secrets.Redact(fmt.Sprintf(format, args...))
	s.notices = append(s.notices, msg)
	s.Logger.Info(msg)
}

// KeysInKeychain reports whether stream keys go to the OS keychain (true)
// or to the profiles file (false).
func (s *Store) KeysInKeychain() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keyring != nil
}

// resolveKeyring picks where keys go: the configured Keyring, else the OS
// keychain (waiting while it is locked), else, on a machine without one,
// the profiles file.
func (s *Store) resolveKeyring() error {
	if s.keyring != nil || s.keyringErr != "" {
		return nil
	}
	if nk, ok := s.Keyring.(NoKeyring); ok {
		s.keyringErr = nk.err().Error()
		return nil
	}
	if s.Keyring != nil {
		s.keyring = s.Keyring
		return nil
	}
	onWait := s.OnKeychainWait
	if onWait == nil {
		onWait = func(note string) { s.Logger.Warn(note) }
	}
	k, err := OpenSystemKeyring(SystemOptions{Context: s.Context, OnWait: onWait})
	switch {
	case errors.Is(err, ErrNoKeychain):
		s.keyringErr = strings.TrimPrefix(err.Error(), ErrNoKeychain.Error()+": ")
		s.Logger.Info("stream keys will be stored in the profiles file", "reason", err)
		return nil
	case err != nil:
		return fmt.Errorf("open profiles: %w", err)
	}
	s.keyring = k
	s.keyringKind = "the OS keychain"
	return nil
}

// KeyStore says where stream keys are kept, for settings and `golive
// profile list`: "the OS keychain", or "the profiles file PATH" with the
// reason there is no keychain.
func (s *Store) KeyStore() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keyring != nil {
		if s.keyringKind != "" {
			return s.keyringKind
		}
		return "the keychain"
	}
	return fmt.Sprintf("the profiles file %s (%s)", s.Path(), s.keyringErr)
}

// readDoc reads the file, handling a first start, corruption and
// migration. write reports that the result should be saved now.
func (s *Store) readDoc() (doc fileDoc, write bool) {
	path := s.Path()
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		s.Logger.Info("no profiles file yet: creating the default profile", "path", path)
		s.lastRaw = nil
		return defaultDoc(), true
	}
	if err != nil {
		return s.recoverFrom(fmt.Sprintf("could not be read (%v)", err)), true
	}
	doc, from, err := parseDoc(data)
	if err != nil {
		return s.recoverFrom(fmt.Sprintf("is damaged: %v", err)), true
	}
	s.lastRaw = data
	s.fixMode(path)
	if from < CurrentSchema {
		s.notify("The profiles file %s was upgraded from format version %d to %d; the previous file is kept as %s.",
			path, from, CurrentSchema, s.backupPath())
		write = true
	} else if from > CurrentSchema {
		s.notify("The profiles file %s was written by a newer GoLive (format version %d; this one knows %d). Settings this version does not know are kept unchanged.",
			path, from, CurrentSchema)
	}
	if dedupeNames(&doc) {
		s.notify("The profiles file had several profiles with the same name; the extra ones were renamed.")
		write = true
	}
	return doc, write
}

// fixMode makes the file 0600 if someone loosened it.
func (s *Store) fixMode(path string) {
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&0o077 == 0 || os.PathSeparator == '\\' {
		return
	}
	if err := os.Chmod(path, 0o600); err == nil {
		s.notify("The profiles file %s was readable by other users (mode %o); it was set back to 0600.", path, fi.Mode().Perm())
	}
}

func dedupeNames(doc *fileDoc) bool {
	seen := make(map[string]bool)
	changed := false
	for i := range doc.Profiles {
		p := &doc.Profiles[i]
		name := p.Name
		for n := 2; seen[foldName(name)]; n++ {
			name = fmt.Sprintf("%s (%d)", p.Name, n)
		}
		if name != p.Name {
			p.Name, changed = name, true
		}
		seen[foldName(name)] = true
	}
	return changed
}
