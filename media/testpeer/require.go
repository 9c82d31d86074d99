package testpeer

import (
	"os/exec"
	"testing"
)

// RequireBinaries fails the test when a program it needs is missing: CI
// installs them all (make deps), so a missing one is a set-up error, not a
// reason to skip.
func RequireBinaries(t testing.TB, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			t.Fatalf("%s not found: run `make deps` to install the test peers", n)
		}
	}
}

// started is the test side of a Launch function: t fails on its error,
// and the peer is closed when the test ends.
func started[P interface{ Close() }](t testing.TB, p P, err error) P {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}
