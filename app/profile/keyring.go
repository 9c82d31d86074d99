package profile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	gokeyring "github.com/zalando/go-keyring"
)

// KeyringService is the service name GoLive's keychain entries use.
const KeyringService = "golive"

// ErrKeyNotFound is returned by a Keyring that has no entry for a user.
var ErrKeyNotFound = errors.New("keyring: secret not found")

// Keyring stores secrets (stream keys) outside the profiles file.
type Keyring interface {
	Set(service, user, secret string) error
	// Get returns ErrKeyNotFound (possibly wrapped) for a missing entry.
	Get(service, user string) (string, error)
	Delete(service, user string) error
}

// MemoryKeyring is an in-process Keyring for tests.
type MemoryKeyring struct {
	mu sync.Mutex
	m  map[string]string
	// Fail, when set, makes every call fail with it (a locked keychain).
	Fail error
}

func memKey(service, user string) string { return service + "\x00" + user }

// Set implements Keyring.
func (k *MemoryKeyring) Set(service, user, secret string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.Fail != nil {
		return k.Fail
	}
	if k.m == nil {
		k.m = make(map[string]string)
	}
	k.m[memKey(service, user)] = secret
	return nil
}

// Get implements Keyring.
func (k *MemoryKeyring) Get(service, user string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.Fail != nil {
		return "", k.Fail
	}
	v, ok := k.m[memKey(service, user)]
	if !ok {
		return "", ErrKeyNotFound
	}
	return v, nil
}

// Delete implements Keyring.
func (k *MemoryKeyring) Delete(service, user string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.Fail != nil {
		return k.Fail
	}
	delete(k.m, memKey(service, user))
	return nil
}

// Len returns the number of stored secrets.
func (k *MemoryKeyring) Len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.m)
}

// NoKeyring is a Keyring that is never available: keys go to the file.
type NoKeyring struct{ Reason string }

func (n NoKeyring) err() error {
	if n.Reason == "" {
		return errors.New("no keychain")
	}
	return errors.New(n.Reason)
}

// Set implements Keyring.
func (n NoKeyring) Set(string, string, string) error { return n.err() }

// Get implements Keyring.
func (n NoKeyring) Get(string, string) (string, error) { return "", n.err() }

// Delete implements Keyring.
func (n NoKeyring) Delete(string, string) error { return n.err() }

// systemTimeout bounds one call to the OS keychain: a Secret Service that
// waits for an unlock prompt nobody answers must not hang GoLive.
const systemTimeout = 5 * time.Second

// systemKeyring is the OS keychain through go-keyring, every call bounded
// by systemTimeout.
type systemKeyring struct{}

func withTimeout[T any](f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	// The goroutine outlives a timed-out call (go-keyring cannot be
	// cancelled); it ends when the D-Bus call does.
	go func() {
		v, err := f()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-time.After(systemTimeout):
		var zero T
		return zero, fmt.Errorf("keychain did not answer within %v", systemTimeout)
	}
}

func (systemKeyring) Set(service, user, secret string) error {
	_, err := withTimeout(func() (struct{}, error) { return struct{}{}, gokeyring.Set(service, user, secret) })
	return err
}

func (systemKeyring) Get(service, user string) (string, error) {
	v, err := withTimeout(func() (string, error) { return gokeyring.Get(service, user) })
	if errors.Is(err, gokeyring.ErrNotFound) {
		return "", fmt.Errorf("%w: %s", ErrKeyNotFound, user)
	}
	return v, err
}

func (systemKeyring) Delete(service, user string) error {
	_, err := withTimeout(func() (struct{}, error) { return struct{}{}, gokeyring.Delete(service, user) })
	if errors.Is(err, gokeyring.ErrNotFound) {
		return nil
	}
	return err
}

// SystemKeyring returns the OS keychain (Secret Service, macOS Keychain,
// Windows Credential Manager) after checking that it answers, or an error
// saying why it cannot be used. GOLIVE_KEYRING=file skips the keychain.
func SystemKeyring() (Keyring, error) {
	if os.Getenv("GOLIVE_KEYRING") == "file" {
		return nil, errors.New("GOLIVE_KEYRING=file is set")
	}
	k := systemKeyring{}
	_, err := k.Get(KeyringService, "golive-probe")
	if err != nil && !errors.Is(err, ErrKeyNotFound) {
		return nil, fmt.Errorf("no usable OS keychain: %w", err)
	}
	return k, nil
}

// newKeyRef returns a fresh keychain entry name.
func newKeyRef() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "key-" + hex.EncodeToString(b[:])
}
