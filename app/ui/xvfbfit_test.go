package ui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golive/app/profile"
	"golive/media/testpeer"
)

// Screen of TestWindowFitsTheScreenWhileFailing.
const fitScreenW, fitScreenH = 1600, 1000

// TestWindowFitsTheScreenWhileFailing opens the real window on a
// 1600x1000 Xvfb screen, live to a healthy nginx-rtmp destination and to
// an RTMPS one whose certificate is refused, for 20 s: the window never
// grows wider than the screen, the failing row's Retry button lies inside
// the screen, and clicking it there retries.
func TestWindowFitsTheScreenWhileFailing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Xvfb, nginx and the real window")
	}
	testpeer.RequireBinaries(t, "Xvfb", "xdotool", "nginx")
	display := testpeer.StartXvfbSize(t, strconv.Itoa(fitScreenW)+"x"+strconv.Itoa(fitScreenH)+"x24")
	ng := testpeer.StartNginxRTMP(t)
	cfg := t.TempDir()
	s := &profile.Store{Dir: cfg, Keyring: profile.NoKeyring{Reason: "test: keys in the file"}}
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	p := profile.DefaultProfile()
	p.Capture = profile.Capture{Source: profile.SourceTest, Audio: profile.AudioTest}
	p.Encoder.Width, p.Encoder.Height, p.Encoder.VideoBitrate = 640, 360, 800_000
	p.Destinations = []profile.Destination{
		{Name: "Healthy", Kind: profile.KindRTMP, Enabled: true, RTMP: &profile.RTMP{Service: "custom",
			URL: "rtmp://127.0.0.1:" + strconv.Itoa(ng.RTMPPort) + "/live", Key: "healthy"}},
		{Name: "Untrusted", Kind: profile.KindRTMP, Enabled: true, RTMP: &profile.RTMP{Service: "custom",
			URL: "rtmps://localhost:" + strconv.Itoa(ng.RTMPSPort) + "/live", Key: "untrusted"}},
	}
	if err := s.Put(p); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(t.TempDir(), "layout.json")
	startWindow(t, "DISPLAY="+display, "GOLIVE_KEYRING=file", profile.ConfigDirEnv+"="+cfg,
		EnvGoLiveAfter+"=1s", EnvQuitAfter+"=120s", EnvLayoutReport+"="+report)
	win := waitForWindow(t, display)
	waitPublished(t, ng, "live", "healthy", true, 30*time.Second)

	widest := 0
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(time.Second) {
		x, _, w, _ := windowGeometry(t, display, win)
		widest = max(widest, w)
		if w > fitScreenW || x+w > fitScreenW {
			t.Fatalf("the window is %d px wide at x=%d on a %d px screen", w, x, fitScreenW)
		}
	}
	t.Logf("widest window: %d px", widest)
	x, y, _, _ := windowGeometry(t, display, win)
	row := readLayout(t, report, "Untrusted")
	if row.State != "failed" || !row.Retry.Visible {
		t.Fatalf("the RTMPS row with a refused certificate: state %q, Retry visible %v", row.State, row.Retry.Visible)
	}
	r := row.Retry
	left, top := float32(x)+r.X, float32(y)+r.Y
	if left < 0 || top < 0 || left+r.W > fitScreenW || top+r.H > fitScreenH {
		t.Fatalf("Retry now at %.0f,%.0f %.0fx%.0f: outside the %dx%d screen", left, top, r.W, r.H, fitScreenW, fitScreenH)
	}
	before := row.Reconnects
	xdo(t, display, "mousemove", "--window", win, strconv.Itoa(int(r.X+r.W/2)), strconv.Itoa(int(r.Y+r.H/2)), "click", "1")
	deadline := time.Now().Add(10 * time.Second)
	for readLayout(t, report, "Untrusted").Reconnects == before {
		if time.Now().After(deadline) {
			t.Fatal("clicking Retry now where the window placed it did not retry")
		}
		time.Sleep(200 * time.Millisecond)
	}
	waitPublished(t, ng, "live", "healthy", true, time.Second)
	checkScreenshot(t, display)
}

// windowGeometry returns a window's position and size on the screen.
func windowGeometry(t *testing.T, display, win string) (x, y, w, h int) {
	t.Helper()
	for _, line := range strings.Split(xdo(t, display, "getwindowgeometry", "--shell", win), "\n") {
		k, v, _ := strings.Cut(line, "=")
		n, _ := strconv.Atoi(v)
		switch k {
		case "X":
			x = n
		case "Y":
			y = n
		case "WIDTH":
			w = n
		case "HEIGHT":
			h = n
		}
	}
	return x, y, w, h
}

// readLayout reads the window's layout report and returns the named row.
func readLayout(t *testing.T, path, name string) layoutRow {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("layout report: %v", err)
	}
	var r layoutReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("layout report: %v", err)
	}
	for _, row := range r.Rows {
		if row.Name == name {
			if r.Scale != 1 {
				t.Fatalf("canvas scale %v: the test assumes 1", r.Scale)
			}
			return row
		}
	}
	t.Fatalf("no row %q in the layout report", name)
	return layoutRow{}
}
