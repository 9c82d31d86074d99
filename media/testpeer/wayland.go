package testpeer

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Wayland is a headless Wayland desktop started by the shared script
// ../shared/wayland/env.sh (sway, xdg-desktop-portal, PipeWire): its
// screen is 1280x720 solid #C82878, captured through the portal.
type Wayland struct {
	// Env holds the session's variables (WAYLAND_DISPLAY,
	// DBUS_SESSION_BUS_ADDRESS, XDG_SESSION_TYPE=wayland, ...).
	Env    map[string]string
	script string
	dir    string
}

// WaylandOptions tune StartWayland.
type WaylandOptions struct {
	// StockPortal runs Debian's unpatched xdg-desktop-portal-wlr, which
	// refuses every Start on a machine without DMA-BUF (response code 2).
	StockPortal bool
}

// StartWayland starts the desktop (the first run installs its packages,
// ~1 min) and stops it in t.Cleanup. Outside CI, a non-root user without
// the packages skips the test; in CI a failure fails it.
func StartWayland(t testing.TB, opts WaylandOptions) *Wayland {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	w := &Wayland{script: filepath.Join(root, "..", "shared", "wayland", "env.sh")}
	if _, err := os.Stat(w.script); err != nil {
		t.Fatalf("wayland test desktop: %v", err)
	}
	// sway runs as nobody when we are root: its folder must be traversable.
	if w.dir, err = os.MkdirTemp("", "golive-wayland-"); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(w.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	extra := []string{}
	if opts.StockPortal {
		extra = append(extra, "XDPW_BIN=/usr/libexec/xdg-desktop-portal-wlr")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := w.run(ctx, extra, "start")
	t.Cleanup(w.stop)
	if err != nil {
		if os.Getenv("CI") == "" && os.Getuid() != 0 {
			t.Skipf("wayland test desktop unavailable (not root, not CI): %v", err)
		}
		t.Fatalf("wayland test desktop: %v", err)
	}
	w.Env = parseExports(out)
	if w.Env["WAYLAND_DISPLAY"] == "" || w.Env["DBUS_SESSION_BUS_ADDRESS"] == "" {
		t.Fatalf("wayland test desktop printed no session: %q", out)
	}
	return w
}

func (w *Wayland) run(ctx context.Context, extra []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "bash", append([]string{w.script}, args...)...)
	cmd.Env = append(append(os.Environ(), "WAYLAND_ENV_DIR="+w.dir), extra...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out), errors.New(err.Error() + ": " + tail(stderr.String(), 2000))
	}
	return string(out), nil
}

// Stop ends the desktop now (as when the compositor exits); t.Cleanup
// would otherwise.
func (w *Wayland) Stop() { w.stop() }

func (w *Wayland) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, _ = w.run(ctx, nil, "stop")
	_ = os.RemoveAll(w.dir)
}

// Animate turns the ~30 Hz clock bar on or off (screen damage: PipeWire
// then delivers pictures at the portal's rate).
func (w *Wayland) Animate(t testing.TB, on bool) {
	t.Helper()
	mode := "off"
	if on {
		mode = "on"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := w.run(ctx, nil, "animate", mode); err != nil {
		t.Fatalf("wayland animate %s: %v", mode, err)
	}
}

// Environ is this process's environment without DISPLAY, plus the
// session's variables: what a program run on that desktop sees.
func (w *Wayland) Environ() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, ours := w.Env[k]; ours || k == "DISPLAY" {
			continue
		}
		out = append(out, kv)
	}
	for k, v := range w.Env {
		out = append(out, k+"="+v)
	}
	return out
}

// Setenv puts the session's variables into this process for the test
// (and removes DISPLAY).
func (w *Wayland) Setenv(t *testing.T) {
	t.Setenv("DISPLAY", "")
	for k, v := range w.Env {
		t.Setenv(k, v)
	}
}

// parseExports reads the script's `export NAME=VALUE` lines (values are
// shell-quoted with %q; the session's values need no unquoting).
func parseExports(out string) map[string]string {
	env := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "export ")
		if !ok {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		env[k] = strings.ReplaceAll(strings.Trim(v, "'"), `\ `, " ")
	}
	return env
}

// repoRoot is the folder holding go.mod, from the test's directory up.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the test's directory")
		}
		dir = parent
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
