package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestMakeLintNeedsGolangciLint: without the pinned golangci-lint, make
// lint fails at once with a message that says how to install it (it used to
// skip the linter quietly).
func TestMakeLintNeedsGolangciLint(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make not installed")
	}
	out, err := exec.Command("make", "-s", "lint", "GOLANGCI_LINT=/nonexistent/golangci-lint").CombinedOutput()
	if err == nil {
		t.Fatalf("make lint passed without golangci-lint:\n%s", out)
	}
	if !strings.Contains(string(out), "golangci-lint 2.15.0 not found") || !strings.Contains(string(out), "make deps") {
		t.Fatalf("make lint without golangci-lint said:\n%s", out)
	}
}
