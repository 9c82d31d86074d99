//go:build linux

package profile

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"golive/media/testpeer"
)

// TestSystemKeyringGnomeKeyring: against gnome-keyring-daemon, the system
// keyring stores, reads and deletes keys (checked with secret-tool), and
// the store keeps stream keys there, never in the file.
func TestSystemKeyringGnomeKeyring(t *testing.T) {
	if testpeerRole() != "gnome-keyring" {
		runOnPrivateBus(t, "gnome-keyring", t.Name())
		return
	}
	testpeer.StartGnomeKeyring(t, keyringPassword)
	k, err := OpenSystemKeyring(SystemOptions{OnWait: func(n string) { t.Errorf("waited on an unlocked keychain: %s", n) }})
	if err != nil {
		t.Fatalf("OpenSystemKeyring: %v", err)
	}
	if err := k.Set(KeyringService, "key-a", testKey); err != nil {
		t.Fatal(err)
	}
	if got, err := k.Get(KeyringService, "key-a"); err != nil || got != testKey {
		t.Fatalf("Get = %q, %v", got, err)
	}
	if got := secretToolLookup(t, "key-a"); got != testKey {
		t.Fatalf("secret-tool sees %q", got)
	}
	if err := k.Delete(KeyringService, "key-a"); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Get(KeyringService, "key-a"); !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("Get after Delete: %v", err)
	}
	if got := secretToolLookup(t, "key-a"); got != "" {
		t.Fatal("secret-tool still finds the deleted key")
	}

	s := &Store{Dir: t.TempDir(), Logger: discardLogger()}
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	if !s.KeysInKeychain() || s.KeyStore() != "the OS keychain" {
		t.Fatalf("KeysInKeychain %v, KeyStore %q", s.KeysInKeychain(), s.KeyStore())
	}
	if err := s.Add(fullProfile()); err != nil {
		t.Fatal(err)
	}
	requireNoLeak(t, "profiles file", readFile(t, s.Path()))
	p, _ := s.Get(fullProfile().Name)
	ref := p.Destinations[0].RTMP.KeyRef
	if ref == "" || secretToolLookup(t, ref) != testKey {
		t.Fatalf("key %q not in gnome-keyring", ref)
	}
}

// TestLockedKeychainIsWaitedFor: with the login keyring locked, opening the
// store says "waiting for the keychain to be unlocked" and waits, past the
// time a call may take, without falling back to the file; once the user
// unlocks it, the key comes from the keychain. Ending the wait (the
// context) is an error, never the plain file.
func TestLockedKeychainIsWaitedFor(t *testing.T) {
	if testpeerRole() != "gnome-keyring-locked" {
		runOnPrivateBus(t, "gnome-keyring-locked", t.Name())
		return
	}
	kr := testpeer.StartGnomeKeyring(t, keyringPassword)
	systemTimeout = time.Second // the old code gave up after it
	dir := t.TempDir()
	first := &Store{Dir: dir, Logger: discardLogger()}
	if err := first.Open(); err != nil {
		t.Fatal(err)
	}
	if err := first.Add(fullProfile()); err != nil {
		t.Fatal(err)
	}
	before := readFile(t, first.Path())
	if err := kr.Lock(); err != nil {
		t.Fatal(err)
	}

	notes := make(chan string, 4)
	opened := make(chan error, 1)
	s := &Store{Dir: dir, Logger: discardLogger(), OnKeychainWait: func(n string) { notes <- n }}
	go func() { opened <- s.Open() }()
	select {
	case n := <-notes:
		if n != "waiting for the keychain to be unlocked" {
			t.Fatalf("note %q", n)
		}
	case err := <-opened:
		t.Fatalf("Open returned (%v) without waiting for the locked keychain", err)
	case <-time.After(10 * time.Second):
		t.Fatal("no note within 10 s")
	}
	// Slower than a keychain call may take: the store still waits.
	select {
	case err := <-opened:
		t.Fatalf("Open gave up on the locked keychain after %v: %v", 2*systemTimeout, err)
	case <-time.After(2 * systemTimeout):
	}
	if err := kr.Unlock(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-opened:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Open still waiting 10 s after the unlock")
	}
	p, err := s.Get(fullProfile().Name)
	if err != nil || p.Destinations[0].RTMP.Key != testKey || !s.KeysInKeychain() {
		t.Fatalf("after unlock: key %v, in keychain %v", err, s.KeysInKeychain())
	}
	if after := readFile(t, s.Path()); after != before || strings.Contains(after, testKey) {
		t.Fatalf("profiles file changed while waiting:\n%s", after)
	}

	if err := kr.Lock(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s2 := &Store{Dir: dir, Logger: discardLogger(), Context: ctx, OnKeychainWait: func(string) { cancel() }}
	err = s2.Open()
	if err == nil || !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("Open after the wait was ended: %v", err)
	}
	if after := readFile(t, s.Path()); after != before {
		t.Fatal("profiles file changed after the wait was ended")
	}
}

// TestNoSecretServiceFallsBackToFile: on a session bus without any Secret
// Service, and with no bus at all, keys go to the 0600 profiles file with
// the one-time notice, and KeyStore says so.
func TestNoSecretServiceFallsBackToFile(t *testing.T) {
	switch testpeerRole() {
	case "":
		runOnPrivateBus(t, "no-secret-service", t.Name())
		t.Setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")
		t.Setenv("GOLIVE_KEYRING", "")
		requireFileFallback(t, "D-Bus is disabled")
		t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
		t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
		requireFileFallback(t, "no D-Bus session bus")
	case "no-secret-service":
		requireFileFallback(t, "no Secret Service (org.freedesktop.secrets) on the D-Bus session bus")
	}
}

func requireFileFallback(t *testing.T, reason string) {
	t.Helper()
	s := &Store{Dir: t.TempDir(), Logger: discardLogger(), OnKeychainWait: func(n string) { t.Errorf("waited: %s", n) }}
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	if s.KeysInKeychain() || !strings.Contains(s.KeyStore(), "the profiles file") || !strings.Contains(s.KeyStore(), reason) {
		t.Fatalf("KeyStore %q, want the profiles file because %s", s.KeyStore(), reason)
	}
	if err := s.Add(fullProfile()); err != nil {
		t.Fatal(err)
	}
	if n := strings.Join(s.Notices(), "\n"); !strings.Contains(n, "No OS keychain is available ("+reason) {
		t.Fatalf("notices %q", n)
	}
	if !strings.Contains(readFile(t, s.Path()), testKey) {
		t.Fatal("key not in the file")
	}
	requireMode0600(t, s.Path())
}

func testpeerRole() string { return testpeer.ChildRole() }
