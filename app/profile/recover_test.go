package profile

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestFailedRenameKeepsOldProfile(t *testing.T) {
	dir := t.TempDir()
	s, _ := openStore(t, dir, nil)
	before := readFile(t, s.Path())
	s.beforeRename = func() error { return errors.New("simulated crash") }
	p := fullProfile()
	if err := s.Add(p); err == nil || !strings.Contains(err.Error(), "simulated crash") {
		t.Fatalf("Add = %v", err)
	}
	if got := readFile(t, s.Path()); got != before {
		t.Fatalf("file changed:\n%s", got)
	}
	if temps, _ := filepath.Glob(filepath.Join(dir, FileName+".tmp-*")); len(temps) != 0 {
		t.Fatalf("temp files left: %v", temps)
	}
	if names := s.Names(); !reflect.DeepEqual(names, []string{"Local preview"}) {
		t.Fatalf("in-memory state changed by a failed save: %v", names)
	}
}

func TestBackupKeepsPreviousVersion(t *testing.T) {
	s, _ := openStore(t, t.TempDir(), nil)
	v1 := readFile(t, s.Path())
	if err := s.Add(fullProfile()); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, s.Path()+".bak"); got != v1 {
		t.Fatalf("backup is not the previous version:\n%s", got)
	}
	requireMode0600(t, s.Path()+".bak")
}

// validDoc is a good profiles file with one profile, "Mine".
const validDoc = `{"schema": 1, "profiles": [{"name": "Mine", "capture": {"source": "test", "audio": "none"},
	  "encoder": {"width": 640, "height": 360, "fps": 25, "video_bitrate": 800000},
	  "destinations": [{"name": "R", "kind": "record", "enabled": true, "record": {"path": "/tmp/x.mkv"}}]}]}`

// TestCorruptFileRestoresBackup: a corrupt profiles.json (mode 0644, in a
// 0755 folder) next to a good backup: the backup's profiles come back and
// are saved, the note is shown once (and not again on the next start), the
// corrupt file is kept aside with mode 0600 and the folder becomes 0700.
func TestCorruptFileRestoresBackup(t *testing.T) {
	valid := validDoc
	cases := map[string]struct{ content, reason string }{
		"truncated":    {valid[:len(valid)/2], "truncated"},
		"garbage":      {"\x00\x01binary garbage\xff", "syntax error at byte 1"},
		"empty":        {"", "the file is empty"},
		"null":         {"null", "null instead of an object"},
		"array":        {"[1,2]", "should be"},
		"wrong type":   {`{"schema": 1, "profiles": [{"name": "x", "encoder": {"fps": "thirty"}}]}`, "profiles.encoder.fps should be int"},
		"bad schema":   {`{"schema": "two"}`, "schema version"},
		"v0 bad shape": {`{"profiles": [1]}`, "version-0"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "golive")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, FileName)
			writeFile(t, path+".bak", valid)
			if err := os.WriteFile(path, []byte(c.content), 0o644); err != nil {
				t.Fatal(err)
			}
			clock := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
			s := &Store{Dir: dir, Keyring: NoKeyring{}, Now: func() time.Time { return clock }}
			s2, logs := openStoreWith(t, s)
			notices := s2.Notices()
			if len(notices) != 1 {
				t.Fatalf("notices = %q", notices)
			}
			n := notices[0]
			aside := path + ".corrupt-20260304-050607"
			for _, want := range []string{path, c.reason, "moved to " + aside, "restored your profiles from the backup " + path + ".bak"} {
				if !strings.Contains(n, want) {
					t.Errorf("notice lacks %q:\n%s", want, n)
				}
			}
			if again := s2.Notices(); len(again) != 0 {
				t.Fatalf("note shown twice: %q", again)
			}
			if got := readFile(t, aside); got != c.content {
				t.Fatalf("moved file content changed")
			}
			requireMode0600(t, aside)
			if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
				t.Fatalf("config folder mode %v (%v), want 0700", fi.Mode().Perm(), err)
			}
			if names := s2.Names(); !reflect.DeepEqual(names, []string{"Mine"}) {
				t.Fatalf("names = %v, want the backup's", names)
			}
			if d, err := parseDocFile(path); err != nil || len(d.Profiles) != 1 || d.Profiles[0].Name != "Mine" {
				t.Fatalf("restored file: %+v, %v", d.Profiles, err)
			}
			requireMode0600(t, path)
			if !strings.Contains(logs.String(), "restored your profiles") {
				t.Fatalf("not logged: %s", logs)
			}
			s3, _ := openStoreWith(t, &Store{Dir: dir, Keyring: NoKeyring{}})
			if n := s3.Notices(); len(n) != 0 || !reflect.DeepEqual(s3.Names(), []string{"Mine"}) {
				t.Fatalf("next start: notices %q, names %v", n, s3.Names())
			}
		})
	}
}

// TestCorruptFileWithBadBackup: with no valid backup GoLive starts on the
// default profile and keeps both files aside (0600), none overwritten.
func TestCorruptFileWithBadBackup(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	if err := os.WriteFile(path, []byte("{broken"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".bak", []byte(`{"schema": 1, "profiles": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	s, _ := openStoreWith(t, &Store{Dir: dir, Keyring: NoKeyring{}, Now: func() time.Time { return clock }})
	notices := s.Notices()
	aside, bak := path+".corrupt-20260304-050607", path+".bak.kept-20260304-050607"
	if len(notices) != 1 || !strings.Contains(notices[0], "default profile") || !strings.Contains(notices[0], bak) {
		t.Fatalf("notices = %q", notices)
	}
	if names := s.Names(); !reflect.DeepEqual(names, []string{DefaultProfileName}) {
		t.Fatalf("names = %v", names)
	}
	requireMode0600(t, aside)
	requireMode0600(t, bak)
	if got := readFile(t, bak); got != `{"schema": 1, "profiles": [` {
		t.Fatalf("bad backup changed: %q", got)
	}
}

func TestCorruptFileThatCannotBeMovedIsNotOverwritten(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	writeFile(t, path, "garbage")
	renameAside = func(string, string) error { return errors.New("permission denied (simulated)") }
	defer func() { renameAside = os.Rename }()
	s, _ := openStoreWith(t, &Store{Dir: dir, Keyring: NoKeyring{}})
	n := strings.Join(s.Notices(), "\n")
	if !strings.Contains(n, "could not be moved aside (permission denied (simulated))") ||
		!strings.Contains(n, "will not save profiles") {
		t.Fatalf("notice = %q", n)
	}
	if names := s.Names(); !reflect.DeepEqual(names, []string{DefaultProfileName}) {
		t.Fatalf("names = %v", names)
	}
	if err := s.Add(fullProfile()); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("Add = %v, want ErrReadOnly", err)
	}
	if got := readFile(t, path); got != "garbage" {
		t.Fatalf("file overwritten: %q", got)
	}
}

func openStoreWith(t *testing.T, s *Store) (*Store, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	s.Logger = slog.New(slog.NewTextHandler(logs, nil))
	if err := s.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s, logs
}

func parseDocFile(path string) (fileDoc, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return fileDoc{}, err
	}
	d, _, err := parseDoc(b)
	return d, err
}
