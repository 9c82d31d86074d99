package testpeer

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// The keychain peer: gnome-keyring-daemon's Secret Service
// (https://specifications.freedesktop.org/secret-service/) on a private
// D-Bus session bus, as PLATFORM.md describes. A test runs the code under
// test in a child process (Child with PrivateSessionBus's wrapper and
// environment), so that D-Bus clients' shared session connection belongs
// to that bus only; HOME and XDG_RUNTIME_DIR point into the test's folder,
// so a developer's own keyrings are never touched.

// sessionBusConfig is a session bus that starts no service on demand.
const sessionBusConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

const (
	secretsName       = "org.freedesktop.secrets"
	secretsPath       = dbus.ObjectPath("/org/freedesktop/secrets")
	secretsService    = "org.freedesktop.Secret.Service"
	loginCollection   = dbus.ObjectPath("/org/freedesktop/secrets/collection/login")
	keyringMasterCall = "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface.UnlockWithMasterPassword"
)

// PrivateSessionBus returns the wrapper (dbus-run-session with a bus that
// starts no service) and the environment (HOME, XDG_RUNTIME_DIR and
// XDG_DATA_HOME in a fresh folder, no display, no GOLIVE_KEYRING) for a
// Child that runs on a session bus of its own.
func PrivateSessionBus(t testing.TB) (wrapper, env []string) {
	t.Helper()
	RequireBinaries(t, "dbus-run-session", "dbus-daemon")
	dir := t.TempDir()
	conf := filepath.Join(dir, "bus.conf")
	runtime := filepath.Join(dir, "run")
	if err := os.WriteFile(conf, []byte(sessionBusConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(runtime, 0o700); err != nil {
		t.Fatal(err)
	}
	return []string{"dbus-run-session", "--config-file=" + conf, "--"},
		[]string{"HOME=" + filepath.Join(dir, "home"), "XDG_RUNTIME_DIR=" + runtime,
			"XDG_DATA_HOME=" + filepath.Join(dir, "data"), "GOLIVE_KEYRING=", "DISPLAY=", "WAYLAND_DISPLAY="}
}

// GnomeKeyring is a gnome-keyring-daemon serving the Secret Service on
// this process's session bus, with a login keyring.
type GnomeKeyring struct {
	conn     *dbus.Conn
	password string
	cmd      *exec.Cmd
	exited   chan struct{}
}

// LaunchGnomeKeyring starts gnome-keyring-daemon (secrets component) with
// a login keyring unlocked by password, on the bus of
// DBUS_SESSION_BUS_ADDRESS (run it in a PrivateSessionBus child), and
// waits until it serves org.freedesktop.secrets. Close stops it.
func LaunchGnomeKeyring(password string) (*GnomeKeyring, error) {
	g := &GnomeKeyring{password: password, exited: make(chan struct{})}
	g.cmd = exec.Command("gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets")
	g.cmd.Stdin = strings.NewReader(password)
	diesWithUs(g.cmd)
	var out LockedBuffer
	g.cmd.Stdout, g.cmd.Stderr = &out, &out
	if err := g.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start gnome-keyring-daemon: %w", err)
	}
	go func() { _ = g.cmd.Wait(); close(g.exited) }()
	var err error
	if g.conn, err = dbus.Connect(os.Getenv("DBUS_SESSION_BUS_ADDRESS")); err != nil {
		g.Close()
		return nil, fmt.Errorf("session bus: %w", err)
	}
	// Wait (bounded) for the daemon to own its name.
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var owned bool
		if err := g.conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, secretsName).Store(&owned); err != nil {
			g.Close()
			return nil, err
		}
		if owned {
			return g, nil
		}
		if time.Now().After(deadline) {
			g.Close()
			return nil, fmt.Errorf("gnome-keyring-daemon did not take %s within 15 s:\n%s", secretsName, out.String())
		}
	}
}

// StartGnomeKeyring is LaunchGnomeKeyring for a test: stopped when it ends.
func StartGnomeKeyring(t testing.TB, password string) *GnomeKeyring {
	t.Helper()
	RequireBinaries(t, "gnome-keyring-daemon")
	g, err := LaunchGnomeKeyring(password)
	return started(t, g, err)
}

// Close stops the daemon and closes the bus connection.
func (g *GnomeKeyring) Close() {
	if g.conn != nil {
		g.conn.Close()
	}
	StopProcess(g.cmd.Process, g.exited, os.Kill, time.Second)
}

// Lock locks the login keyring (Service.Lock needs no prompt).
func (g *GnomeKeyring) Lock() error {
	var locked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	err := g.conn.Object(secretsName, secretsPath).Call(secretsService+".Lock", 0,
		[]dbus.ObjectPath{loginCollection}).Store(&locked, &prompt)
	if err == nil && len(locked) != 1 {
		err = fmt.Errorf("%d collections locked", len(locked))
	}
	if err != nil {
		return fmt.Errorf("lock the login keyring: %w", err)
	}
	return nil
}

// Unlock unlocks the login keyring as the user typing the password in
// the prompt would, through gnome-keyring's interface for that (no display
// needed).
func (g *GnomeKeyring) Unlock() error {
	svc := g.conn.Object(secretsName, secretsPath)
	var out dbus.Variant
	var session dbus.ObjectPath
	if err := svc.Call(secretsService+".OpenSession", 0, "plain", dbus.MakeVariant("")).Store(&out, &session); err != nil {
		return fmt.Errorf("secret service session: %w", err)
	}
	master := struct {
		Session     dbus.ObjectPath
		Parameters  []byte
		Value       []byte
		ContentType string
	}{session, []byte{}, []byte(g.password), "text/plain"}
	if err := svc.Call(keyringMasterCall, 0, loginCollection, master).Err; err != nil {
		return fmt.Errorf("unlock the login keyring: %w", err)
	}
	return nil
}

// SecretToolLookup reads an entry with libsecret's secret-tool, a client
// independent of the code under test ("" when there is none).
func SecretToolLookup(t testing.TB, attrs ...string) string {
	t.Helper()
	RequireBinaries(t, "secret-tool")
	out, err := exec.Command("secret-tool", append([]string{"lookup"}, attrs...)...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && len(out) == 0 {
			return "" // not found
		}
		t.Fatalf("secret-tool lookup %v: %v", attrs, err)
	}
	return string(out)
}
