package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestProcessSettingsOnlyInMain (issue 21): the process-wide settings —
// malloc tuning, timer slack, the global logrus output, the default slog
// logger — are made in package main only (the repository's root), and
// only main imports app/startup, the one package that acts at init (the
// locale workaround it documents). Every Go file tracked by git counts,
// tests included: a test binary is a process too.
func TestProcessSettingsOnlyInMain(t *testing.T) {
	out, err := exec.Command("git", "ls-files", "*.go").Output()
	if err != nil {
		t.Skipf("git ls-files: %v (not a git checkout)", err)
	}
	forbidden := []string{"mallopt", "PR_SET_TIMERSLACK", "logrus.SetOutput", "logrus.SetLevel", "slog.SetDefault("}
	checked := 0
	for _, f := range strings.Fields(string(out)) {
		if filepath.Dir(f) == "." {
			continue // package main
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, line := range strings.Split(string(b), "\n") {
			code := strings.TrimSpace(line)
			if strings.HasPrefix(code, "//") {
				continue // documentation may name them
			}
			for _, s := range forbidden {
				if strings.Contains(code, s) {
					t.Errorf("%s: %q outside package main: %s", f, s, code)
				}
			}
			if strings.Contains(code, `"golive/app/startup"`) {
				t.Errorf("%s imports app/startup: only package main may", f)
			}
		}
	}
	if checked < 100 {
		t.Fatalf("only %d Go files outside package main: the listing is wrong", checked)
	}
}
