// Package desttest holds what the tests of every destination kind share
// about the destination handler (outputs/dest). It is imported by tests
// only, and imports nothing but dest, so that a protocol package's own
// tests can use it.
package desttest

import (
	"testing"
	"time"

	"golive/outputs/dest"
)

// WaitState waits until the handler is in state want and returns its
// status; it fails the test, with the state and last error, after d.
func WaitState(t testing.TB, h *dest.Handler, want dest.State, d time.Duration) dest.Status {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		st := h.Status()
		if st.State == want {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: state %s (error %q), want %s", h.Name, st.State, st.LastError, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
