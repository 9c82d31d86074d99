package profile

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestExportImport(t *testing.T) {
	kr := &MemoryKeyring{}
	dir := t.TempDir()
	s, logs := openStore(t, dir, kr)
	p := fullProfile()
	if err := s.Add(p); err != nil {
		t.Fatal(err)
	}
	noKeys := filepath.Join(dir, "out", "share.json")
	withKeys := filepath.Join(dir, "backup.json")
	if err := s.Export(p.Name, noKeys, false); err != nil {
		t.Fatal(err)
	}
	if err := s.Export(p.Name, withKeys, true); err != nil {
		t.Fatal(err)
	}
	shared := readFile(t, noKeys)
	requireNoLeak(t, "export without keys", shared)
	if strings.Contains(shared, "key_ref") {
		t.Fatal("keychain reference exported")
	}
	requireMode0600(t, noKeys)
	requireMode0600(t, withKeys)
	if !strings.Contains(readFile(t, withKeys), testKey) {
		t.Fatal("--with-keys export lacks the key")
	}

	// Import into a fresh store (another machine).
	kr2 := &MemoryKeyring{}
	s2, logs2 := openStore(t, t.TempDir(), kr2)
	got, err := s2.Import(noKeys, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := p.Clone()
	want.Destinations[0].RTMP.Key = ""
	want.Destinations[0].SecretsLeftOut = []string{LeftOutKey}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("imported:\n got %+v\nwant %+v", got, want)
	}
	if n := strings.Join(s2.Notices(), "\n"); !strings.Contains(n, "without secrets for: Twitch (stream key)") {
		t.Fatalf("notices = %q", n)
	}
	if _, err := s2.Import(withKeys, ImportOptions{}); !errors.Is(err, ErrExists) {
		t.Fatalf("import over existing: %v", err)
	}
	got, err = s2.Import(withKeys, ImportOptions{Replace: true})
	if err != nil {
		t.Fatal(err)
	}
	if got.Destinations[0].RTMP.Key != testKey || kr2.Len() != 1 {
		t.Fatalf("key not imported into the keychain (%d entries)", kr2.Len())
	}
	requireNoLeak(t, "profiles file after import", readFile(t, s2.Path()))
	if _, err := s2.Import(noKeys, ImportOptions{Name: "Copy"}); err != nil {
		t.Fatal(err)
	}
	requireNoLeak(t, "logs", logs.String()+logs2.String())
}

func TestImportRejects(t *testing.T) {
	s, _ := openStore(t, t.TempDir(), nil)
	dir := t.TempDir()
	cases := map[string]struct{ content, msg string }{
		"garbage":    {"{{", "not a GoLive profile export: syntax error"},
		"whole file": {`{"schema":1,"profiles":[]}`, "whole profiles file"},
		"invalid":    {`{"golive_profile":1,"schema":1,"profile":{"name":"","encoder":{"fps":500}}}`, "frame rate 500 out of range"},
	}
	for name, c := range cases {
		path := filepath.Join(dir, name+".json")
		writeFile(t, path, c.content)
		if _, err := s.Import(path, ImportOptions{}); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: err = %v, want %q", name, err, c.msg)
		}
	}
	if _, err := s.Import(filepath.Join(dir, "missing.json"), ImportOptions{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}
