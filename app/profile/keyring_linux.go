package profile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
)

// The Secret Service API (https://specifications.freedesktop.org/secret-service/):
// GNOME Keyring and KWallet serve it on the D-Bus session bus.
const (
	secretsName       = "org.freedesktop.secrets"
	secretsPath       = dbus.ObjectPath("/org/freedesktop/secrets")
	secretsService    = "org.freedesktop.Secret.Service"
	secretsCollection = "org.freedesktop.Secret.Collection"
	secretsPrompt     = "org.freedesktop.Secret.Prompt"
	// The collection go-keyring uses: "login" when it exists, else the
	// default alias.
	loginCollection   = dbus.ObjectPath("/org/freedesktop/secrets/collection/login")
	defaultCollection = dbus.ObjectPath("/org/freedesktop/secrets/aliases/default")
)

// lockAware: on Linux the Secret Service says whether it is locked.
const lockAware = true

// unlockPoll is how often a wait for a locked keychain looks again.
var unlockPoll = 250 * time.Millisecond

// sessionBusAddress returns the D-Bus session bus address without
// starting a bus: DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus.
// (godbus would otherwise run dbus-launch, which leaves a bus and a
// keyring daemon behind on X11 desktops without a session bus.)
func sessionBusAddress() (string, error) {
	if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" {
		if strings.HasPrefix(a, "disabled:") {
			return "", errors.New("D-Bus is disabled (DBUS_SESSION_BUS_ADDRESS=disabled:)")
		}
		return a, nil
	}
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
		p := filepath.Join(dir, "bus")
		if st, err := os.Stat(p); err == nil && st.Mode()&fs.ModeSocket != 0 {
			return "unix:path=" + p, nil
		}
	}
	return "", errors.New("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)")
}

// waitUnlocked returns nil once the Secret Service's collection is
// unlocked. When it is locked it calls onWait, asks the service to show
// its unlock prompt, and waits until the user has unlocked it or ctx ends.
// The error wraps ErrNoKeychain when there is no Secret Service at all.
func waitUnlocked(ctx context.Context, onWait func(string)) error {
	addr, err := sessionBusAddress()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNoKeychain, err)
	}
	dctx, cancel := context.WithTimeout(ctx, systemTimeout)
	defer cancel()
	conn, err := dbus.Connect(addr, dbus.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("%w: cannot connect to the D-Bus session bus: %w", ErrNoKeychain, err)
	}
	defer conn.Close()
	if err := hasSecretService(dctx, conn); err != nil {
		return err
	}
	coll := collectionPath(dctx, conn)
	locked, err := isLocked(dctx, conn, coll)
	if err != nil || !locked {
		return err
	}
	if onWait != nil {
		onWait(KeychainWaitNote)
	}
	requestUnlock(ctx, conn, coll)
	t := time.NewTicker(unlockPoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return fmt.Errorf("the OS keychain is locked (unlock it, then try again): %w", ctx.Err())
		case <-t.C:
		}
		pctx, pcancel := context.WithTimeout(ctx, systemTimeout)
		locked, err = isLocked(pctx, conn, coll)
		pcancel()
		if err == nil && !locked {
			return nil
		}
	}
}

// hasSecretService checks that a Secret Service runs on the bus or can be
// started by it.
func hasSecretService(ctx context.Context, conn *dbus.Conn) error {
	bus := conn.BusObject()
	var owned bool
	if err := bus.CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, secretsName).Store(&owned); err != nil {
		return fmt.Errorf("keychain: ask the session bus for %s: %w", secretsName, err)
	}
	if owned {
		return nil
	}
	var names []string
	if err := bus.CallWithContext(ctx, "org.freedesktop.DBus.ListActivatableNames", 0).Store(&names); err != nil {
		return fmt.Errorf("keychain: ask the session bus for %s: %w", secretsName, err)
	}
	if !slices.Contains(names, secretsName) {
		return fmt.Errorf("%w: no Secret Service (%s) on the D-Bus session bus", ErrNoKeychain, secretsName)
	}
	return nil
}

// collectionPath is the collection go-keyring stores keys in.
func collectionPath(ctx context.Context, conn *dbus.Conn) dbus.ObjectPath {
	var v dbus.Variant
	err := conn.Object(secretsName, secretsPath).CallWithContext(ctx, "org.freedesktop.DBus.Properties.Get", 0,
		secretsService, "Collections").Store(&v)
	if paths, ok := v.Value().([]dbus.ObjectPath); err == nil && ok && slices.Contains(paths, loginCollection) {
		return loginCollection
	}
	return defaultCollection
}

// isLocked reads the collection's Locked property. A service without the
// collection is not locked: go-keyring reports what is missing.
func isLocked(ctx context.Context, conn *dbus.Conn, coll dbus.ObjectPath) (bool, error) {
	var v dbus.Variant
	err := conn.Object(secretsName, coll).CallWithContext(ctx, "org.freedesktop.DBus.Properties.Get", 0,
		secretsCollection, "Locked").Store(&v)
	var de dbus.Error
	if errors.As(err, &de) && strings.Contains(de.Name, "NoSuchObject") {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("keychain: read the lock state of %s: %w", coll, err)
	}
	locked, _ := v.Value().(bool)
	return locked, nil
}

// requestUnlock asks the service to unlock the collection, which shows the
// desktop's unlock prompt; it does not wait for the answer (the caller
// watches the Locked property, so a prompt the user answers later, or one
// another program opened, both end the wait).
func requestUnlock(ctx context.Context, conn *dbus.Conn, coll dbus.ObjectPath) {
	var unlocked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	cctx, cancel := context.WithTimeout(ctx, systemTimeout)
	defer cancel()
	err := conn.Object(secretsName, secretsPath).CallWithContext(cctx, secretsService+".Unlock", 0,
		[]dbus.ObjectPath{coll}).Store(&unlocked, &prompt)
	if err != nil || prompt == "/" || prompt == "" {
		return
	}
	_ = conn.Object(secretsName, prompt).CallWithContext(cctx, secretsPrompt+".Prompt", 0, "").Err
}
