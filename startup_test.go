package main

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestMain lets a test run this binary as golive itself: with
// GOLIVE_TEST_AS_MAIN set, the test binary (whose packages initialise as
// golive's do, app/startup before Fyne) runs main's run with the
// arguments after "--".
func TestMain(m *testing.M) {
	if os.Getenv("GOLIVE_TEST_AS_MAIN") != "" {
		for i, a := range os.Args {
			if a == "--" {
				os.Args = append([]string{"golive"}, os.Args[i+1:]...)
				break
			}
		}
		os.Exit(run())
	}
	os.Exit(m.Run())
}

// golive runs the program with args and the environment changes env
// (NAME=VALUE, or NAME= to unset), returning its exit code and output.
func golive(t *testing.T, env []string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$", "--"}, args...)...)
	base := []string{"GOLIVE_TEST_AS_MAIN=1", "GOLIVE_CONFIG_DIR=" + t.TempDir()}
	drop := map[string]bool{}
	for _, e := range env {
		name, val, _ := strings.Cut(e, "=")
		drop[name] = true
		if val != "" {
			base = append(base, e)
		}
	}
	for _, e := range os.Environ() {
		name, _, _ := strings.Cut(e, "=")
		if !drop[name] {
			base = append(base, e)
		}
	}
	cmd.Env = base
	out, err := cmd.CombinedOutput()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, string(out)
}

// TestNoDisplayOneLine: `env -u DISPLAY -u WAYLAND_DISPLAY golive` exits
// 1 with one line and no stack (issue 16: a 40-line GLFW panic).
func TestNoDisplayOneLine(t *testing.T) {
	code, out := golive(t, []string{"DISPLAY=", "WAYLAND_DISPLAY="})
	want := `golive: no display found (DISPLAY/WAYLAND_DISPLAY unset): run "golive live" for the command line` + "\n"
	if code != 1 || out != want {
		t.Errorf("exit %d, output %q; want exit 1 and %q", code, out, want)
	}
}

// TestNoFyneLocaleNoise: no command prints "Fyne error" under LANG=C,
// C.UTF-8 (Debian's default) or POSIX, whatever LC_ALL/LANGUAGE were, and
// the user's LANGUAGE (unset) is what the program runs with.
func TestNoFyneLocaleNoise(t *testing.T) {
	for _, lang := range []string{"C.UTF-8", "C", "C.utf8", "POSIX"} {
		env := []string{"LANG=" + lang, "LC_ALL=", "LC_MESSAGES=", "LANGUAGE=", "DISPLAY=", "WAYLAND_DISPLAY="}
		code, out := golive(t, env, "devices")
		if code != 0 || strings.Contains(out, "Fyne error") || strings.Contains(out, "locale") {
			t.Errorf("LANG=%s golive devices: exit %d, output:\n%s", lang, code, out)
		}
	}
	code, out := golive(t, []string{"LC_ALL=C.UTF-8", "LANGUAGE=", "DISPLAY=", "WAYLAND_DISPLAY="}, "profile", "list")
	if code != 0 || strings.Contains(out, "Fyne error") {
		t.Errorf("LC_ALL=C.UTF-8 golive profile list: exit %d, output:\n%s", code, out)
	}
}
