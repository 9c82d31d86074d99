package profile

import (
	"errors"
	"strings"
	"testing"
)

func TestKeysInFileWarnOnce(t *testing.T) {
	dir := t.TempDir()
	s, _ := openStore(t, dir, nil)
	p := fullProfile()
	if err := s.Add(p); err != nil {
		t.Fatal(err)
	}
	n := s.Notices()
	if len(n) != 1 || !strings.Contains(n[0], "No OS keychain") || !strings.Contains(n[0], "0600") {
		t.Fatalf("notices = %q", n)
	}
	requireNoLeak(t, "notice", n[0])
	p.Encoder.FPS = 30
	if err := s.Put(p); err != nil {
		t.Fatal(err)
	}
	s2, _ := openStore(t, dir, nil)
	if err := s2.Rename(p.Name, "Renamed"); err != nil {
		t.Fatal(err)
	}
	if n := append(s.Notices(), s2.Notices()...); len(n) != 0 {
		t.Fatalf("warning repeated: %q", n)
	}
	requireMode0600(t, s.Path())
	requireMode0600(t, s.Path()+".bak")
}

// TestKeychainFailureSavesNothing: a keychain that is there but refuses a
// key makes the save fail with a clear error; the key never moves to the
// plain file behind the user's back.
func TestKeychainFailureSavesNothing(t *testing.T) {
	dir := t.TempDir()
	kr := &MemoryKeyring{Fail: errors.New("locked collection")}
	s, _ := openStore(t, dir, kr)
	err := s.Add(fullProfile())
	if err == nil || !strings.Contains(err.Error(), "locked collection") || !strings.Contains(err.Error(), "nothing was saved") {
		t.Fatalf("Add with a failing keychain: %v", err)
	}
	if strings.Contains(err.Error(), testKey) {
		t.Fatal("error shows the key")
	}
	requireNoLeak(t, "profiles file", readFile(t, s.Path()))
	if !s.KeysInKeychain() {
		t.Fatal("switched away from the keychain")
	}
	if _, err := s.Get(fullProfile().Name); err == nil {
		t.Fatal("the profile was saved without its key")
	}
}

func TestKeysMoveToKeychainWhenAvailable(t *testing.T) {
	dir := t.TempDir()
	s, _ := openStore(t, dir, nil)
	if err := s.Add(fullProfile()); err != nil {
		t.Fatal(err)
	}
	kr := &MemoryKeyring{}
	s2, _ := openStore(t, dir, kr)
	requireNoLeak(t, "file after keychain appeared", readFile(t, s2.Path()))
	if kr.Len() != 1 {
		t.Fatalf("keychain has %d keys", kr.Len())
	}
	p, _ := s2.Get(fullProfile().Name)
	if p.Destinations[0].RTMP.Key != testKey {
		t.Fatal("key not readable after moving")
	}
}

func TestDeleteRemovesKeychainEntries(t *testing.T) {
	kr := &MemoryKeyring{}
	s, _ := openStore(t, t.TempDir(), kr)
	p := fullProfile()
	if err := s.Add(p); err != nil {
		t.Fatal(err)
	}
	p.Name = "Copy"
	p.Destinations[0].RTMP.Key = testKey + "2"
	if err := s.Add(p); err != nil {
		t.Fatal(err)
	}
	if kr.Len() != 2 {
		t.Fatalf("keychain has %d", kr.Len())
	}
	if err := s.Delete("Copy"); err != nil {
		t.Fatal(err)
	}
	if kr.Len() != 1 {
		t.Fatalf("after delete keychain has %d", kr.Len())
	}
	got, _ := s.Get(fullProfile().Name)
	got.Destinations[0].RTMP.Key = ""
	if err := s.Put(got); err != nil {
		t.Fatal(err)
	}
	if kr.Len() != 0 {
		t.Fatalf("cleared key still in keychain (%d)", kr.Len())
	}
}

func TestMissingKeychainEntryIsReported(t *testing.T) {
	dir := t.TempDir()
	kr := &MemoryKeyring{}
	s, _ := openStore(t, dir, kr)
	if err := s.Add(fullProfile()); err != nil {
		t.Fatal(err)
	}
	s2, _ := openStore(t, dir, &MemoryKeyring{}) // another machine's empty keychain
	n := strings.Join(s2.Notices(), "\n")
	if !strings.Contains(n, `"Twitch"`) || !strings.Contains(n, "missing from the OS keychain") {
		t.Fatalf("notices = %q", n)
	}
	p, _ := s2.Get(fullProfile().Name)
	if err := p.ValidateForLive(); err == nil || !strings.Contains(err.Error(), "stream key is missing") {
		t.Fatalf("ValidateForLive = %v", err)
	}
}
