package profile

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a goroutine outlives the tests: the
// store's lock, keychain calls (withTimeout) and the wait for a locked
// keychain must all have ended by the time the tests return (issue 21).
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if err := findLeaks(); err != nil {
			fmt.Fprintln(os.Stderr, "goroutine leak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// findLeaks is goleak.Find with one exception: go-keyring talks to the
// Secret Service over godbus's shared session bus (dbus.SessionBus), which
// is opened once per process and never closed (godbus forbids closing a
// shared connection), so one connection's reader (inWorker) and signal
// dispatcher (newConn.func1) live until the process ends. goleak cannot
// tell that connection from one GoLive opens itself (keyring_linux.go,
// dbus.Connect, closed after each check), so more than one reader left
// means one of ours leaked.
func findLeaks() error {
	buf := make([]byte, 1<<20)
	dump := string(buf[:runtime.Stack(buf, true)])
	if n := strings.Count(dump, "\ngithub.com/godbus/dbus/v5.(*Conn).inWorker("); n > 1 {
		return fmt.Errorf("%d D-Bus connections left open (go-keyring's shared session bus is the only one allowed):\n%s", n, dump)
	}
	return goleak.Find(
		goleak.IgnoreTopFunction("github.com/godbus/dbus/v5.newConn.func1"),
		goleak.IgnoreAnyFunction("github.com/godbus/dbus/v5.(*Conn).inWorker"))
}
