package desktop

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golive/app/cli"
	"golive/media/testpeer"
)

// TestWaylandPortalRefused: the stock xdg-desktop-portal-wlr of Debian 12
// answers Start with response code 2 on a machine without DMA-BUF. `golive
// live --source screen` then says that the portal refused, exits with
// ExitPortalRefused, and does so at once (no hang, no recording).
func TestWaylandPortalRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Wayland desktop")
	}
	w := testpeer.StartWayland(t, testpeer.WaylandOptions{StockPortal: true})
	rec := filepath.Join(t.TempDir(), "never.mkv")
	start := time.Now()
	g := runGolive(t, w.Environ(), 60*time.Second, nil, "live", "--source", "screen", "--audio", "test",
		"--duration", "10s", "--record", rec, "--stats", "json")
	took := time.Since(start)
	t.Logf("after %v: %v", took.Round(time.Millisecond), g)
	if g.code != cli.ExitPortalRefused {
		t.Fatalf("exit code %d, want %d (portal refused)", g.code, cli.ExitPortalRefused)
	}
	if !strings.Contains(g.stderr, "the desktop portal refused to share the screen") || strings.Contains(g.stderr, "panic") {
		t.Errorf("message: %q", g.stderr)
	}
	if took > 15*time.Second {
		t.Errorf("took %v to give up", took)
	}
	if len(g.stats) != 0 {
		t.Errorf("%d stats lines: the stream should not have started", len(g.stats))
	}
}
