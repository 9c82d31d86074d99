package profile

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"golive/media/testpeer"
)

// The keychain tests run against a real Secret Service: gnome-keyring-daemon
// on a private D-Bus session bus (dbus-run-session with a configuration that
// activates no service), in a child process of the test binary so that
// go-keyring's shared bus connection belongs to that bus only. HOME and
// XDG_RUNTIME_DIR point into the test's folder: the developer's own
// keyrings are never touched.

const keyringPassword = "golive-test-login"

// busConfig is a session bus that starts no service on demand.
const busConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
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

// runOnPrivateBus runs the test named run again as a child in role, on a
// private session bus, and fails t with the child's output if it fails.
func runOnPrivateBus(t *testing.T, role, run string) {
	t.Helper()
	testpeer.RequireBinaries(t, "dbus-run-session", "dbus-daemon", "gnome-keyring-daemon", "secret-tool")
	dir := t.TempDir()
	conf := filepath.Join(dir, "bus.conf")
	runtime := filepath.Join(dir, "run")
	if err := os.WriteFile(conf, []byte(busConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(runtime, 0o700); err != nil {
		t.Fatal(err)
	}
	cmd := testpeer.Child{Role: role, Run: run, Wrapper: []string{"dbus-run-session", "--config-file=" + conf, "--"},
		Env: []string{"HOME=" + filepath.Join(dir, "home"), "XDG_RUNTIME_DIR=" + runtime,
			"XDG_DATA_HOME=" + filepath.Join(dir, "data"), "GOLIVE_KEYRING=", "DISPLAY=", "WAYLAND_DISPLAY="}}.Command()
	cmd.Args = append(cmd.Args, "-test.v")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killer := time.AfterFunc(60*time.Second, func() { _ = cmd.Process.Kill() })
	err := cmd.Wait()
	killer.Stop()
	t.Logf("child on a private D-Bus:\n%s", out.String())
	if err != nil || !strings.Contains(out.String(), "--- PASS: "+run) {
		t.Fatalf("child %s: %v", run, err)
	}
}

// startGnomeKeyring starts gnome-keyring-daemon (secrets component) with a
// login keyring unlocked by keyringPassword, and waits until it owns
// org.freedesktop.secrets on the bus.
func startGnomeKeyring(t *testing.T) *dbus.Conn {
	t.Helper()
	cmd := exec.Command("gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets")
	cmd.Stdin = strings.NewReader(keyringPassword)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	conn, err := dbus.Connect(os.Getenv("DBUS_SESSION_BUS_ADDRESS"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	// Wait (bounded) for the daemon to own its name: a signal would do too,
	// but the name may be taken before a match rule is in place.
	deadline := time.Now().Add(15 * time.Second)
	for {
		var owned bool
		if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, secretsName).Store(&owned); err != nil {
			t.Fatal(err)
		}
		if owned {
			return conn
		}
		if time.Now().After(deadline) {
			t.Fatalf("gnome-keyring-daemon did not take %s within 15 s:\n%s", secretsName, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// secretToolLookup reads an entry with libsecret's secret-tool, a client
// independent of go-keyring.
func secretToolLookup(t *testing.T, user string) string {
	t.Helper()
	out, err := exec.Command("secret-tool", "lookup", "service", KeyringService, "username", user).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && len(out) == 0 {
			return "" // not found
		}
		t.Fatalf("secret-tool lookup %s: %v", user, err)
	}
	return string(out)
}

// lockLogin locks the login collection (Service.Lock needs no prompt).
func lockLogin(t *testing.T, conn *dbus.Conn) {
	t.Helper()
	var locked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	err := conn.Object(secretsName, secretsPath).Call(secretsService+".Lock", 0,
		[]dbus.ObjectPath{loginCollection}).Store(&locked, &prompt)
	if err != nil || len(locked) != 1 {
		t.Fatalf("lock the login keyring: %v %v", locked, err)
	}
}

// unlockLogin unlocks it as the user typing the password in the prompt
// would, through gnome-keyring's interface for that (no display needed).
func unlockLogin(t *testing.T, conn *dbus.Conn) {
	t.Helper()
	svc := conn.Object(secretsName, secretsPath)
	var out dbus.Variant
	var session dbus.ObjectPath
	if err := svc.Call(secretsService+".OpenSession", 0, "plain", dbus.MakeVariant("")).Store(&out, &session); err != nil {
		t.Fatal(err)
	}
	master := struct {
		Session     dbus.ObjectPath
		Parameters  []byte
		Value       []byte
		ContentType string
	}{session, []byte{}, []byte(keyringPassword), "text/plain"}
	err := svc.Call("org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface.UnlockWithMasterPassword", 0,
		loginCollection, master).Err
	if err != nil {
		t.Fatalf("unlock the login keyring: %v", err)
	}
}
