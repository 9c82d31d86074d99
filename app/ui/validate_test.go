package ui

import (
	"image"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"golive/app/profile"
	"golive/outputs/dest"
)

// TestInvalidFieldBlocksGoLive: a typo in a field is shown, Go Live is
// disabled with the reason (the button and Ctrl+Enter), and nothing goes
// live with a value other than the one shown.
func TestInvalidFieldBlocksGoLive(t *testing.T) {
	raw, store := newTestStore(t)
	eng := &fakeEngine{devices: Devices{Screens: []Screen{{Label: ":0.0", Display: ":0.0", Size: image.Pt(1600, 1000)}},
		Encoders: []string{"libx264"}}}
	w := newTestWindow(t, store, eng)
	w.sources.video.SetSelected(optScreenPfx + ":0.0")
	w.encoder.vrate.SetText("")
	test.Type(w.encoder.vrate, "600O")
	if !w.action.button.Disabled() || !w.action.reason.Visible() ||
		!strings.Contains(w.action.reason.Text, "Video kb/s: enter the video bitrate") {
		t.Fatalf("with 600O: Go Live disabled %v, reason %q", w.action.button.Disabled(), w.action.reason.Text)
	}
	w.toggleLive() // Ctrl+Enter
	test.Tap(w.action.button)
	w.bg.Wait()
	if w.phase != phaseIdle || len(eng.started) != 0 {
		t.Fatal("went live while the video bitrate field read 600O")
	}
	w.encoder.vrate.SetText("6000")
	if w.action.button.Disabled() || w.action.reason.Visible() {
		t.Fatal("Go Live still disabled after the fix")
	}
	if got, _ := raw.Get(w.prof.Name); got.Encoder.VideoBitrate != 6_000_000 {
		t.Fatalf("saved bitrate %d, shown 6000 kb/s", got.Encoder.VideoBitrate)
	}

	test.Type(w.sources.region, "0,0,3000,2000")
	if !w.action.button.Disabled() || !strings.Contains(w.action.reason.Text, "outside the 1600x1000 screen") {
		t.Fatalf("region 0,0,3000,2000: reason %q", w.action.reason.Text)
	}
	w.sources.region.SetText("0,0,1600,1000")
	if w.action.button.Disabled() {
		t.Fatalf("valid region still blocks: %q", w.action.reason.Text)
	}
	test.Tap(w.action.button)
	w.bg.Wait()
	if len(eng.started) != 1 || eng.started[0].Capture.Region != "0,0,1600,1000" || eng.started[0].Encoder.VideoBitrate != 6_000_000 {
		t.Fatalf("went live with %+v", eng.started)
	}
}

// TestLoopbackIsNoUpload: a local RTMP server is not upload.
func TestLoopbackIsNoUpload(t *testing.T) {
	p := profile.DefaultProfile()
	p.Destinations = append(p.Destinations, rtmpDest("LocalNginx", "live", true), rtmpDest("Remote", "live", true))
	p.Destinations[2].RTMP.URL = "rtmp://live.twitch.tv/app"
	if _, n := uploadKbps(p); n != 1 {
		t.Fatalf("%d network destinations counted as upload, want 1 (the loopback RTP and RTMP are not)", n)
	}
}

// TestStatusBarUploadLeavesLocalOut: while live, the status bar's Upload
// is what leaves the machine; an RTP preview and a local server are shown
// apart as "local", and a recording is neither (the README's screenshot
// read "Upload 2.72 Mb/s" with only local destinations).
func TestStatusBarUploadLeavesLocalOut(t *testing.T) {
	_, store := newTestStore(t)
	eng := &fakeEngine{}
	w := newTestWindow(t, store, eng)
	for _, d := range []profile.Destination{rtmpDest("LocalNginx", "live", true), rtmpDest("Twitch", "app", true),
		{Name: "Disk", Kind: profile.KindRecord, Enabled: true, Record: &profile.Record{Path: t.TempDir() + "/a.mkv"}}} {
		if err := w.dests.put(-1, d); err != nil {
			t.Fatal(err)
		}
	}
	w.dests.row("Twitch").d.RTMP.URL = "rtmp://live.twitch.tv/app"
	preview := w.prof.Destinations[0].Name
	test.Tap(w.action.button)
	w.bg.Wait()
	if w.phase != phaseLive {
		t.Fatalf("not live: %q; dialog %q", w.notices.Text("engine"), overlayText(topOverlay(t, w)))
	}
	eng.live.setStats(Stats{ElapsedS: 5, FPS: 30, UploadKbps: 7600, Outputs: []dest.Status{
		{Name: preview, Kind: "rtp", State: dest.StateLive, BitrateKbps: 2600},
		{Name: "LocalNginx", Kind: "rtmp", State: dest.StateLive, BitrateKbps: 2500},
		{Name: "Twitch", Kind: "rtmp", State: dest.StateLive, BitrateKbps: 2500},
		{Name: "Disk", Kind: "record", State: dest.StateLive, BitrateKbps: 2550},
	}})
	w.tick()
	if got, want := w.status.upload.Text, "Upload 2.50 Mb/s · local 5.10 Mb/s"; got != want {
		t.Fatalf("status bar %q, want %q", got, want)
	}
	eng.live.setStats(Stats{ElapsedS: 6, FPS: 30, Outputs: []dest.Status{
		{Name: preview, Kind: "rtp", State: dest.StateLive, BitrateKbps: 2600},
		{Name: "Twitch", Kind: "rtmp", State: dest.StateReconnecting},
	}})
	w.tick()
	if got, want := w.status.upload.Text, "Upload 0 kb/s · local 2.60 Mb/s"; got != want {
		t.Fatalf("status bar %q, want %q", got, want)
	}
}

// TestPlaceholderIsNotAValue: placeholders are drawn fainter than text,
// even disabled text, in both variants.
func TestPlaceholderIsNotAValue(t *testing.T) {
	th := newTheme()
	for _, v := range []fyne.ThemeVariant{theme.VariantDark, theme.VariantLight} {
		ph := th.Color(theme.ColorNamePlaceHolder, v)
		_, _, _, a := ph.RGBA()
		_, _, _, da := th.Color(theme.ColorNameDisabled, v).RGBA()
		if a >= 0xffff || a >= da {
			t.Fatalf("variant %v: placeholder alpha %x not below disabled text's %x", v, a, da)
		}
	}
}
