package ui

import (
	"image"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golive/app/profile"
	"golive/media/engine"
	"golive/media/testpeer"
)

func TestScreenAndMicrophonePickers(t *testing.T) {
	raw, store := newTestStore(t)
	eng := &fakeEngine{devices: Devices{Microphones: []string{"USB Mic"}, Screens: screenChoices([]engine.Screen{
		{Name: "DP-1", Display: ":0.0", Bounds: image.Rect(0, 0, 1920, 1080), Primary: true},
		{Name: "HDMI-1", Display: ":0.0", Bounds: image.Rect(1920, 0, 3200, 720)},
	})}}
	w := newTestWindow(t, store, eng)
	if w.sources.micMsg.Visible() {
		t.Fatal("no-microphone note shown with a microphone")
	}
	want := []string{optTestPattern, optScreenPfx + ":0.0 (all monitors)", optScreenPfx + "DP-1 1920x1080 (:0.0)",
		optScreenPfx + "HDMI-1 1280x720 (:0.0)"}
	if got := w.sources.video.Options; len(got) != len(want) || got[3] != want[3] {
		t.Fatalf("video options %q, want %q", got, want)
	}
	w.sources.video.SetSelected(want[3])
	w.sources.audio.SetSelected(optMicPfx + "USB Mic")
	got, _ := raw.Get(w.prof.Name)
	c := got.Capture
	if c.Source != profile.SourceScreen || c.Display != ":0.0" || c.Region != "1920,0,1280,720" ||
		c.Audio != profile.AudioMic || c.AudioDevice != "USB Mic" {
		t.Fatalf("saved capture %+v", c)
	}
	w.sources.region.SetText("10,10,8,8")
	if w.sources.region.Validate() == nil {
		t.Fatal("a region smaller than 16 pixels was accepted")
	}
	got, _ = raw.Get(w.prof.Name)
	if got.Capture.Region != "1920,0,1280,720" {
		t.Fatalf("invalid region saved: %q", got.Capture.Region)
	}
	// Reloading shows the same choices.
	w2 := newTestWindow(t, store, eng)
	if w2.sources.video.Selected != want[3] || w2.sources.audio.Selected != optMicPfx+"USB Mic" {
		t.Fatalf("reloaded %q / %q", w2.sources.video.Selected, w2.sources.audio.Selected)
	}
}

func TestLevelMeterPeakHold(t *testing.T) {
	m := newLevelMeter()
	now := time.Unix(1000, 0)
	m.now = func() time.Time { return now }
	m.SetLevel(-6)
	// Held for holdTime whatever the update rate ...
	for range 3 {
		now = now.Add(holdTime / 3)
		m.SetLevel(-40)
	}
	if m.holdDB != -6 {
		t.Fatalf("peak not held: %v", m.holdDB)
	}
	// ... then it falls by holdDecayDBps per second.
	now = now.Add(200 * time.Millisecond)
	m.SetLevel(-40)
	if want := -6 - holdDecayDBps*0.2; math.Abs(m.holdDB-want) > 1e-9 {
		t.Fatalf("peak after the hold: %v, want %v", m.holdDB, want)
	}
	now = now.Add(10 * time.Second)
	m.SetLevel(-40)
	if m.holdDB != -40 {
		t.Fatalf("peak fell below the level: %v", m.holdDB)
	}
	m.SetMuted(true)
	if m.peakDB != meterFloor {
		t.Fatalf("muted meter shows %v dB", m.peakDB)
	}
}

func TestSessionEngineChecksServiceLimits(t *testing.T) {
	p := profile.DefaultProfile()
	p.Encoder.VideoBitrate = 9_000_000
	p.Destinations = append(p.Destinations, profile.Destination{Name: "Twitch", Kind: profile.KindRTMP, Enabled: true,
		RTMP: &profile.RTMP{Service: "twitch", URL: "rtmp://live.twitch.tv/app", Key: "k"}})
	warnings := (&sessionEngine{}).Check(p)
	if len(warnings) != 1 || warnings[0] != "Twitch: video bitrate 9000 kbps is above the maximum of 6000 kbps" {
		t.Fatalf("warnings %q", warnings)
	}
	p.Encoder.VideoBitrate = 6_000_000
	if w := (&sessionEngine{}).Check(p); len(w) != 0 {
		t.Fatalf("warnings within limits: %q", w)
	}
	// Issue 18: the main encode at 1080p60 9 Mb/s, Twitch on its own
	// 720p60 6 Mb/s rendition: nothing to complain about; its rendition
	// over the limit, or in HEVC, is reported.
	p.Encoder.Width, p.Encoder.Height, p.Encoder.FPS, p.Encoder.VideoBitrate = 1920, 1080, 60, 9_000_000
	tw := &p.Destinations[len(p.Destinations)-1]
	tw.Video = &profile.Video{Width: 1280, Height: 720, VideoBitrate: 6_000_000}
	if w := (&sessionEngine{}).Check(p); len(w) != 0 {
		t.Fatalf("Twitch's own rendition respects its limits, yet: %q", w)
	}
	tw.Video.VideoBitrate, tw.Video.Codec = 7_000_000, profile.CodecHEVC
	w := (&sessionEngine{}).Check(p)
	if len(w) != 2 || !strings.Contains(w[0], "video codec hevc is not accepted") ||
		w[1] != "Twitch: video bitrate 7000 kbps is above the maximum of 6000 kbps" {
		t.Fatalf("warnings %q", w)
	}
}

// TestGoLiveCheckWarnsOfRecordingSpace: a recording whose folder holds
// less than ~30 min at the chosen bit rates is named in the Go Live check
// (a 64 MB tmpfs mounted by the test: 30 min at 2628 kb/s need 591 MB;
// at 128 kb/s 29 MB, which fit).
func TestGoLiveCheckWarnsOfRecordingSpace(t *testing.T) {
	p := profile.DefaultProfile()
	p.Destinations = []profile.Destination{{Name: "Archive", Kind: profile.KindRecord, Enabled: true,
		Record: &profile.Record{Path: filepath.Join(testpeer.MountTmpfs(t, "64m"), "show.mkv")}}}
	p.Encoder.VideoBitrate, p.Encoder.AudioBitrate = 96_000, 32_000
	if w := (&sessionEngine{}).Check(p); len(w) != 0 {
		t.Fatalf("30 min at 128 kb/s fit in 64 MB, yet: %q", w)
	}
	p.Encoder.VideoBitrate, p.Encoder.AudioBitrate = 2_500_000, 128_000
	w := (&sessionEngine{}).Check(p)
	if len(w) != 1 || !strings.HasPrefix(w[0], "Archive: ") || !strings.Contains(w[0], "about 3 min") ||
		!strings.Contains(w[0], "less than 30 min") {
		t.Fatalf("warnings %q, want one naming Archive, its 3 min and the 30 min", w)
	}
}
