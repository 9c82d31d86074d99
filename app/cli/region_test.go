package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golive/media/testpeer"
)

// TestRegionOutsideScreen: a capture region beyond the screen is refused
// before going live with a message that names both sizes (issue 16: it
// failed as `open x11grab input ":0": Invalid argument`); nothing is
// recorded. A region within the screen goes live.
func TestRegionOutsideScreen(t *testing.T) {
	if testing.Short() {
		t.Skip("needs Xvfb")
	}
	display := testpeer.StartXvfb(t) // 1280x720
	dir := t.TempDir()
	for _, region := range []string{"0,0,2560,1440", "1200,700,100,100"} {
		env, _, stderr := testEnv()
		out := filepath.Join(dir, "never.mkv")
		code := Main(context.Background(), []string{"live", "--source", "screen", "--display", display,
			"--region", region, "--audio", "none", "--duration", "2s", "--stats", "none", "--record", out}, env)
		msg := stderr.String()
		want := "region " + region + " is outside the 1280x720 screen of display \"" + display + "\""
		if code != ExitFailure || !strings.Contains(msg, want) || strings.Count(strings.TrimSpace(msg), "\n") > 0 {
			t.Errorf("--region %s: exit %d, stderr %q; want exit 1 and one line with %q", region, code, msg, want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("--region %s: %s was created", region, out)
		}
		t.Logf("--region %s: %s", region, strings.TrimSpace(msg))
		if strings.Contains(msg, "Invalid argument") {
			t.Errorf("--region %s: x11grab's message instead of ours: %q", region, msg)
		}
	}
	env, _, stderr := testEnv()
	code := Main(context.Background(), []string{"live", "--source", "screen", "--display", display,
		"--region", "640,360,640,360", "--size", "640x360", "--audio", "none", "--duration", "1s", "--stats", "none",
		"--record", filepath.Join(dir, "ok.mkv")}, env)
	if code != ExitOK {
		t.Errorf("region within the screen: exit %d: %s", code, stderr)
	}
}
