package rtmp

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain stops the shared encoder after the tests, then fails the
// package when any goroutine was left behind (writers, read loops,
// watchdogs, proxies, handlers, the engine).
func TestMain(m *testing.M) {
	code := m.Run()
	if err := stopEngine(); err != nil {
		fmt.Fprintln(os.Stderr, "engine:", err)
		code = 1
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goroutine leak:", err)
			code = 1
		}
	}
	os.Exit(code)
}
