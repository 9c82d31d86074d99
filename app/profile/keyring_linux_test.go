package profile

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"golive/media/testpeer"
)

// The keychain tests run against a real Secret Service: gnome-keyring-daemon
// on a private D-Bus session bus (testpeer.PrivateSessionBus), in a child
// process of the test binary so that go-keyring's shared bus connection
// belongs to that bus only.

const keyringPassword = "golive-test-login"

// runOnPrivateBus runs the test named run again as a child in role, on a
// private session bus, and fails t with the child's output if it fails.
func runOnPrivateBus(t *testing.T, role, run string) {
	t.Helper()
	testpeer.RequireBinaries(t, "gnome-keyring-daemon", "secret-tool")
	wrapper, env := testpeer.PrivateSessionBus(t)
	cmd := testpeer.Child{Role: role, Run: run, Wrapper: wrapper, Env: env}.Command()
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

// secretToolLookup reads GoLive's entry for user with secret-tool.
func secretToolLookup(t *testing.T, user string) string {
	t.Helper()
	return testpeer.SecretToolLookup(t, "service", KeyringService, "username", user)
}
