package profile

import (
	"context"
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

// ErrNoKeychain is wrapped by OpenSystemKeyring's error when the machine
// has no keychain service at all (no D-Bus session bus, no Secret Service
// on it, GOLIVE_KEYRING=file): only then do stream keys go to the profiles
// file. A keychain that is present but locked is waited for instead.
var ErrNoKeychain = errors.New("no OS keychain")

// KeychainWaitNote is what GoLive says while it waits for a locked
// keychain (the desktop's unlock prompt is on screen meanwhile).
const KeychainWaitNote = "waiting for the keychain to be unlocked"

// SystemOptions configure OpenSystemKeyring.
type SystemOptions struct {
	// Context ends a wait for a locked keychain (nil: wait until the user
	// unlocks it); every call of the returned Keyring waits the same way.
	Context context.Context
	// OnWait is called with KeychainWaitNote each time a call finds the
	// keychain locked and starts waiting (show it to the user).
	OnWait func(note string)
}

// systemTimeout bounds one call to the OS keychain once it is unlocked: a
// service that does not answer must not hang GoLive. Waiting for a locked
// keychain is not bounded by it.
var systemTimeout = 5 * time.Second

// systemKeyring is the OS keychain through go-keyring. Before each call it
// makes sure the keychain is present and unlocked (ready), waiting for the
// user when it is locked; the call itself is bounded by systemTimeout.
type systemKeyring struct{ opts SystemOptions }

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
	t := time.NewTimer(systemTimeout)
	defer t.Stop()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-t.C:
		var zero T
		return zero, fmt.Errorf("keychain did not answer within %v", systemTimeout)
	}
}

func (k systemKeyring) ctx() context.Context {
	if k.opts.Context != nil {
		return k.opts.Context
	}
	return context.Background()
}

// Set implements Keyring.
func (k systemKeyring) Set(service, user, secret string) error {
	if err := waitUnlocked(k.ctx(), k.opts.OnWait); err != nil {
		return err
	}
	_, err := withTimeout(func() (struct{}, error) { return struct{}{}, gokeyring.Set(service, user, secret) })
	return err
}

// Get implements Keyring.
func (k systemKeyring) Get(service, user string) (string, error) {
	if err := waitUnlocked(k.ctx(), k.opts.OnWait); err != nil {
		return "", err
	}
	v, err := withTimeout(func() (string, error) { return gokeyring.Get(service, user) })
	if errors.Is(err, gokeyring.ErrNotFound) {
		return "", fmt.Errorf("%w: %s", ErrKeyNotFound, user)
	}
	return v, err
}

// Delete implements Keyring.
func (k systemKeyring) Delete(service, user string) error {
	if err := waitUnlocked(k.ctx(), k.opts.OnWait); err != nil {
		return err
	}
	_, err := withTimeout(func() (struct{}, error) { return struct{}{}, gokeyring.Delete(service, user) })
	if errors.Is(err, gokeyring.ErrNotFound) {
		return nil
	}
	return err
}

// OpenSystemKeyring returns the OS keychain (Secret Service, macOS
// Keychain, Windows Credential Manager) once it answers. A keychain that
// is present but locked is waited for (OnWait tells the user) until it is
// unlocked or o.Context ends, never given up on for being slow. The error
// wraps ErrNoKeychain only when there is no keychain service at all.
// GOLIVE_KEYRING=file skips the keychain.
func OpenSystemKeyring(o SystemOptions) (Keyring, error) {
	if os.Getenv("GOLIVE_KEYRING") == "file" {
		return nil, fmt.Errorf("%w: GOLIVE_KEYRING=file is set", ErrNoKeychain)
	}
	k := systemKeyring{opts: o}
	_, err := k.Get(KeyringService, "golive-probe")
	if err != nil && !errors.Is(err, ErrKeyNotFound) {
		if errors.Is(err, ErrNoKeychain) {
			return nil, err
		}
		if !lockAware {
			// Without a way to tell "locked" from "absent" here, a
			// keychain that does not answer counts as none.
			return nil, fmt.Errorf("%w: %w", ErrNoKeychain, err)
		}
		return nil, fmt.Errorf("the OS keychain cannot be used: %w", err)
	}
	return k, nil
}

// newKeyRef returns a fresh keychain entry name.
func newKeyRef() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "key-" + hex.EncodeToString(b[:])
}
