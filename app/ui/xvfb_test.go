package ui

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golive/app/profile"
	"golive/media/testpeer"
)

// TestRealWindowUnderXvfb opens the real window on a private Xvfb
// display, clicks Go Live with the mouse and checks that RTP packets
// arrive on the preview port; it saves a screenshot of the live window.
func TestRealWindowUnderXvfb(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Xvfb and the real window")
	}
	for _, bin := range []string{"Xvfb", "xdotool", "import"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s is not installed", bin)
		}
	}
	display := testpeer.StartXvfb(t)
	sink := newUDPSink(t)
	cfg := t.TempDir()
	s := &profile.Store{Dir: cfg, Keyring: &profile.MemoryKeyring{}}
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	p := profile.DefaultProfile()
	p.Capture = profile.Capture{Source: profile.SourceTest, Audio: profile.AudioNone}
	p.Destinations[0].RTP.Port = sink.port()
	if err := s.Put(p); err != nil {
		t.Fatal(err)
	}

	startWindow(t, "DISPLAY="+display, profile.ConfigDirEnv+"="+cfg, EnvQuitAfter+"=90s")

	win := waitForWindow(t, display)
	w, h := windowSize(t, display, win)
	// The Go Live button spans the bottom of the window, above the
	// status bar.
	xdo(t, display, "mousemove", "--window", win, strconv.Itoa(w/2), strconv.Itoa(h-67), "click", "1")
	deadline := time.Now().Add(30 * time.Second)
	for sink.packets.Load() < 50 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	if n := sink.packets.Load(); n < 50 {
		t.Fatalf("clicking Go Live: %d RTP packets arrived on port %d", n, sink.port())
	}
	time.Sleep(1500 * time.Millisecond) // one stats poll: the window shows live figures
	checkScreenshot(t, display)
}

// startWindow runs the real window in a child process (TestMain's
// windowRole) with software GL and env added; it is killed when the test
// ends, and its output logged if the test failed.
func startWindow(t *testing.T, env ...string) {
	t.Helper()
	child := testpeer.Child{Role: windowRole,
		Env: append([]string{"LIBGL_ALWAYS_SOFTWARE=1", "LANG=en_US.UTF-8"}, env...)}.Command()
	var out bytes.Buffer
	child.Stdout, child.Stderr = &out, &out
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = child.Process.Kill()
		_ = child.Wait()
		if t.Failed() {
			t.Logf("window output:\n%s", out.String())
		}
	})
}

func xdo(t *testing.T, display string, args ...string) string {
	t.Helper()
	cmd := exec.Command("xdotool", args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("xdotool %v: %v: %s", args, err, b)
	}
	return strings.TrimSpace(string(b))
}

// waitForWindow returns the X window id of the GoLive window.
func waitForWindow(t *testing.T, display string) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		cmd := exec.Command("xdotool", "search", "--onlyvisible", "--name", "GoLive")
		cmd.Env = append(os.Environ(), "DISPLAY="+display)
		if b, err := cmd.Output(); err == nil && len(bytes.TrimSpace(b)) > 0 {
			time.Sleep(time.Second) // first frames drawn
			return strings.Fields(string(b))[0]
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatal("the GoLive window did not appear")
	return ""
}

func windowSize(t *testing.T, display, win string) (int, int) {
	t.Helper()
	var w, h int
	for _, line := range strings.Split(xdo(t, display, "getwindowgeometry", "--shell", win), "\n") {
		k, v, _ := strings.Cut(line, "=")
		switch k {
		case "WIDTH":
			w, _ = strconv.Atoi(v)
		case "HEIGHT":
			h, _ = strconv.Atoi(v)
		}
	}
	if w < 200 || h < 200 {
		t.Fatalf("window geometry %dx%d", w, h)
	}
	return w, h
}

// checkScreenshot captures the screen like `make screenshot` and checks
// it shows more than a blank screen. It is kept in
// $GOLIVE_UI_CAPTURE_DIR when set.
func checkScreenshot(t *testing.T, display string) {
	t.Helper()
	dir := os.Getenv("GOLIVE_UI_CAPTURE_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	path := filepath.Join(dir, "xvfb_live.png")
	cmd := exec.Command("import", "-window", "root", path)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("import: %v: %s", err, b)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	colours := map[uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			r, g, bl, _ := img.At(x, y).RGBA()
			colours[r>>8<<16|g>>8<<8|bl>>8] = true
		}
	}
	if len(colours) < 8 {
		t.Fatalf("screenshot has %d colours: the window was not drawn", len(colours))
	}
}

// windowRole makes the test binary open the real window instead of
// running tests (the child of TestRealWindowUnderXvfb).
const windowRole = "window"

func TestMain(m *testing.M) {
	if testpeer.ChildRole() == lockedKeychainRole {
		os.Exit(windowWithLockedKeychain())
	}
	if testpeer.ChildRole() == windowRole {
		// The main goroutine is locked to the main thread by Fyne's
		// driver, as GLFW requires.
		if err := Run(Options{ConfigDir: os.Getenv(profile.ConfigDirEnv)}); err != nil {
			fmt.Fprintln(os.Stderr, "golive window:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(testpeer.OwnTempDir(m).Run())
}
