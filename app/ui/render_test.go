package ui

import (
	"image/png"
	"os"
	"testing"

	"fyne.io/fyne/v2/test"

	"golive/app/profile"
	"golive/outputs/dest"
)

// renderWindow opens a window with a fixed profile: one RTP preview and
// one RTMP destination, a machine with one screen and one microphone.
func renderWindow(t *testing.T) (*mainWindow, *fakeEngine) {
	raw, store := newTestStore(t)
	p := profile.DefaultProfile()
	p.Destinations = append(p.Destinations, profile.Destination{Name: "Twitch", Kind: profile.KindRTMP, Enabled: true,
		RTMP: &profile.RTMP{Service: "twitch", URL: "rtmp://live.twitch.tv/app", Key: "live_123456789_abcdefghijkl"}})
	if err := raw.Put(p); err != nil {
		t.Fatal(err)
	}
	eng := &fakeEngine{devices: Devices{Screens: []Screen{{Label: ":99.0", Display: ":99.0"}}, Microphones: []string{"USB Mic"},
		Encoders: []string{"libx264"}}}
	return newTestWindow(t, store, eng), eng
}

func TestRenderIdle(t *testing.T) {
	w, _ := renderWindow(t)
	w.tick()
	saveCapture(t, w, "main_idle.png")
	test.AssertRendersToMarkup(t, "main_idle.xml", w.win.Canvas())
}

func TestRenderLive(t *testing.T) {
	w, eng := renderWindow(t)
	test.Tap(w.action.button)
	w.bg.Wait()
	for i := range 20 {
		eng.live.setStats(Stats{ElapsedS: float64(3600 + 62 + i), FPS: 29.9, Captured: 1800, Encoded: 1795, Skipped: 5,
			PeakDB: -12, UploadKbps: 2650 + float64(i*10), Outputs: []dest.Status{
				{Name: profile.DefaultProfileName, Kind: "rtp", State: dest.StateLive, BitrateKbps: 2650, FramesSent: 1790},
				{Name: "Twitch", Kind: "rtmp", State: dest.StateReconnecting, RetryInS: 3, BitrateKbps: float64(i * 130),
					FramesSent: 900, Dropped: 60, LastError: "connection reset by peer"},
			}})
		w.tick()
	}
	w.tickFast()
	saveCapture(t, w, "main_live.png")
	test.AssertRendersToMarkup(t, "main_live.xml", w.win.Canvas())
}

// saveCapture writes the rendered window where GOLIVE_UI_CAPTURE_DIR
// says, for a person to look at; it asserts nothing.
func saveCapture(t *testing.T, w *mainWindow, name string) {
	dir := os.Getenv("GOLIVE_UI_CAPTURE_DIR")
	if dir == "" {
		return
	}
	f, err := os.Create(dir + "/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, w.win.Canvas().Capture()); err != nil {
		t.Fatal(err)
	}
}
