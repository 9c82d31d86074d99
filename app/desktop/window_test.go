package desktop

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golive/app/profile"
	"golive/app/ui"
	"golive/media/testpeer"
)

// windowRole makes the test binary open the real window (the child of
// TestWaylandWindowGoLive) instead of running tests.
const windowRole = "window"

func TestMain(m *testing.M) {
	if testpeer.ChildRole() == windowRole {
		// Fyne's driver locks the main goroutine to the main thread.
		if err := ui.Run(ui.Options{ConfigDir: os.Getenv(profile.ConfigDirEnv)}); err != nil {
			fmt.Fprintln(os.Stderr, "golive window:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(testpeer.OwnTempDir(m).Run())
}

// TestWaylandWindowGoLive runs the real window in the Wayland session (on
// an X server standing in for XWayland, which the test desktop leaves
// out), goes live (GOLIVE_UI_GO_LIVE_AFTER) with the screen source to an
// nginx-rtmp destination, and pulls the stream back from nginx: it shows
// the Wayland desktop's colour, captured through the portal.
func TestWaylandWindowGoLive(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Wayland desktop, Xvfb, nginx and the window")
	}
	testpeer.RequireBinaries(t, "Xvfb", "nginx", "ffmpeg")
	w := testpeer.StartWayland(t, testpeer.WaylandOptions{})
	nginx := testpeer.StartNginxRTMP(t)
	display := testpeer.StartXvfb(t)
	url := nginx.RTMPURL("live", "wayland")

	cfg := t.TempDir()
	t.Setenv("GOLIVE_KEYRING", "file") // the key goes to the profiles file, which the window reads
	st := &profile.Store{Dir: cfg}
	if err := st.Open(); err != nil {
		t.Fatal(err)
	}
	p := profile.DefaultProfile()
	p.Capture = profile.Capture{Source: profile.SourceScreen, Cursor: true, Audio: profile.AudioTest}
	p.Encoder.Width, p.Encoder.Height = 640, 360
	p.Destinations = []profile.Destination{{Name: "nginx", Kind: profile.KindRTMP, Enabled: true,
		RTMP: &profile.RTMP{Service: "custom", URL: url}}}
	if err := st.Put(p); err != nil {
		t.Fatal(err)
	}
	if err := st.Select(p.Name); err != nil {
		t.Fatal(err)
	}
	_ = st.Close()

	child := testpeer.Child{Role: windowRole, BaseEnv: w.Environ(), Env: []string{
		"DISPLAY=" + display, "LIBGL_ALWAYS_SOFTWARE=1", "LANG=en_US.UTF-8", "GOLIVE_KEYRING=file",
		profile.ConfigDirEnv + "=" + cfg, ui.EnvGoLiveAfter + "=2s", ui.EnvQuitAfter + "=40s"}}.Start(t, 90*time.Second)
	go func() { _, _ = ioDiscard(child) }()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("window stderr:\n%s", child.Stderr.String())
		}
	})

	pics := pullRTMP(t, url, 3*time.Second)
	if len(pics) < 75 {
		t.Errorf("%d pictures in 3 s from nginx, want about 90", len(pics))
	}
	for i, pic := range pics {
		if r, g, b := meanRGB(pic); !within(r, 200, 8) || !within(g, 40, 8) || !within(b, 120, 8) {
			t.Fatalf("picture %d from nginx: mean colour (%.1f,%.1f,%.1f), want the Wayland screen's (200,40,120)", i, r, g, b)
		}
	}
	t.Logf("pulled %d pictures of the portal capture from nginx", len(pics))
	// The portal's restore token is kept in the profile for the next time.
	b, err := os.ReadFile(filepath.Join(cfg, "profiles.json"))
	if err != nil || !strings.Contains(string(b), `"portal_restore_token": "`) {
		t.Errorf("the window did not save the portal's restore token in the profile (%v)", err)
	}
}

func ioDiscard(c *testpeer.ChildProcess) (int64, error) {
	buf := make([]byte, 4096)
	var n int64
	for {
		k, err := c.Stdout.Read(buf)
		n += int64(k)
		if err != nil {
			return n, err
		}
	}
}

// pullRTMP plays the stream from nginx (retrying until the window has
// gone live) for dur and returns its pictures at 64x36.
func pullRTMP(t *testing.T, url string, dur time.Duration) [][]byte {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), dur+20*time.Second)
		out, err := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-nostdin", "-v", "error",
			"-rw_timeout", "5000000", "-i", url, "-t", fmt.Sprint(dur.Seconds()), "-map", "0:v:0",
			"-vf", "scale=64:36", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1").Output()
		cancel()
		if err == nil && len(out) >= 64*36*3*10 {
			var pics [][]byte
			for len(out) >= 64*36*3 {
				pics = append(pics, out[:64*36*3])
				out = out[64*36*3:]
			}
			return pics
		}
		if time.Now().After(deadline) {
			t.Fatalf("no stream on %s after 60 s: %v", url, err)
		}
		time.Sleep(time.Second)
	}
}
