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
