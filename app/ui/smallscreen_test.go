package ui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"golive/app/profile"
	"golive/media/testpeer"
)

// TestFitSize: the window keeps its size on a large screen, shrinks to a
// small one's usable area less the frame, and never below the content's
// minimum.
func TestFitSize(t *testing.T) {
	want, minimum := fyne.NewSize(windowWidth, windowHeight), fyne.NewSize(750, 340)
	for _, c := range []struct {
		avail, got fyne.Size
	}{
		{fyne.NewSize(1920, 1050), want},
		{fyne.NewSize(1024, 600), fyne.NewSize(1024-frameAllowanceW, 600-frameAllowanceH)},
		{fyne.NewSize(1280, 720-32), fyne.NewSize(windowWidth, 720-32-frameAllowanceH)}, // a 32-pixel panel
		{fyne.NewSize(640, 300), minimum},
	} {
		if got := fitSize(want, minimum, c.avail); got != c.got {
			t.Errorf("screen %v: window %v, want %v", c.avail, got, c.got)
		}
	}
}

// smallScreenW and smallScreenH are a netbook's screen.
const smallScreenW, smallScreenH = 1024, 600

// TestWindowFitsASmallScreen opens the real window on a 1024x600 Xvfb
// screen: it opens no larger than the screen, and the Go Live button and
// both destination rows lie inside the window, the screen and (the rows)
// the destination list's visible area.
func TestWindowFitsASmallScreen(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Xvfb and the real window")
	}
	testpeer.RequireBinaries(t, "Xvfb", "xdotool", "import")
	display := testpeer.StartXvfbSize(t, "1024x600x24")
	cfg := t.TempDir()
	s := &profile.Store{Dir: cfg, Keyring: profile.NoKeyring{Reason: "test: keys in the file"}}
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	p := profile.DefaultProfile()
	p.Capture = profile.Capture{Source: profile.SourceTest, Audio: profile.AudioNone}
	p.Destinations = append(p.Destinations, profile.Destination{Name: "Twitch", Kind: profile.KindRTMP,
		Enabled: true, RTMP: &profile.RTMP{Service: "custom", URL: "rtmp://127.0.0.1:1/live", Key: "k"}})
	if err := s.Put(p); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(t.TempDir(), "layout.json")
	startWindow(t, "DISPLAY="+display, "GOLIVE_KEYRING=file", profile.ConfigDirEnv+"="+cfg,
		EnvQuitAfter+"=60s", EnvLayoutReport+"="+report)
	win := waitForWindow(t, display)
	x, y, w, h := windowGeometry(t, display, win)
	t.Logf("window %dx%d at %d,%d on a %dx%d screen", w, h, x, y, smallScreenW, smallScreenH)
	if x < 0 || y < 0 || x+w > smallScreenW || y+h > smallScreenH {
		t.Fatalf("the window (%dx%d at %d,%d) does not fit the %dx%d screen", w, h, x, y, smallScreenW, smallScreenH)
	}
	r := waitLayout(t, report, len(p.Destinations))
	inside := func(what string, o, in layoutRect) {
		t.Helper()
		const slack = 0.5
		if !o.Visible || o.W <= 0 || o.H <= 0 || o.X < in.X-slack || o.Y < in.Y-slack ||
			o.X+o.W > in.X+in.W+slack || o.Y+o.H > in.Y+in.H+slack {
			t.Errorf("%s at %.0f,%.0f %.0fx%.0f (visible %v): not inside %.0f,%.0f %.0fx%.0f",
				what, o.X, o.Y, o.W, o.H, o.Visible, in.X, in.Y, in.W, in.H)
		}
	}
	window := layoutRect{W: float32(w), H: float32(h), Visible: true}
	inside("the window's canvas", layoutRect{W: r.CanvasW, H: r.CanvasH, Visible: true}, window)
	inside("Go Live", r.GoLive, window)
	inside("the destination list", r.List, window)
	for _, row := range r.Rows {
		inside("row "+row.Name, row.Row, r.List)
	}
	checkScreenshot(t, display)
}

// waitLayout waits for the window's layout report to list rows rows.
func waitLayout(t *testing.T, path string, rows int) layoutReport {
	t.Helper()
	var r layoutReport
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		b, err := os.ReadFile(path)
		if err != nil || json.Unmarshal(b, &r) != nil || len(r.Rows) != rows {
			continue
		}
		if r.Scale != 1 {
			t.Fatalf("canvas scale %v: the test assumes 1", r.Scale)
		}
		return r
	}
	t.Fatalf("no layout report with %d rows (last: %+v)", rows, r)
	return r
}
