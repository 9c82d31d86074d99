package ui

import (
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"golive/app/profile"
	"golive/outputs/dest"
)

func TestFirstStartWithoutMicrophone(t *testing.T) {
	raw, store := newTestStore(t)
	eng := &fakeEngine{devices: Devices{Encoders: []string{"libx264"}}}
	w := newTestWindow(t, store, eng)

	if w.prof.Name != profile.DefaultProfileName {
		t.Fatalf("opened on %q, want %q", w.prof.Name, profile.DefaultProfileName)
	}
	if !w.sources.micMsg.Visible() || !strings.Contains(w.sources.micMsg.Text, "No microphone found") {
		t.Fatalf("no visible no-microphone note (visible=%v, text=%q)", w.sources.micMsg.Visible(), w.sources.micMsg.Text)
	}
	saved, err := raw.Get(profile.DefaultProfileName)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Capture.Audio != profile.AudioNone || saved.Capture.Source != profile.SourceTest {
		t.Fatalf("first profile not fitted to a machine without mic/screen: %+v", saved.Capture)
	}
	if got := w.sources.audio.Selected; got != optSilence {
		t.Fatalf("audio picker shows %q, want %q", got, optSilence)
	}
	w.sources.audio.SetSelected(optTestTone)
	if w.sources.micMsg.Visible() {
		t.Fatal("the no-microphone note stays visible with the test tone selected")
	}
	w.sources.audio.SetSelected(optSilence)
	if !w.sources.micMsg.Visible() {
		t.Fatal("the no-microphone note is hidden again with silence selected")
	}

	test.Tap(w.action.button)
	w.bg.Wait()
	if w.phase != phaseLive {
		t.Fatalf("phase %v after Go Live, want live (notice %q)", w.phase, w.notices.Text("engine"))
	}
	if len(eng.started) != 1 || eng.started[0].Capture.Audio != profile.AudioNone {
		t.Fatalf("engine started with %+v", eng.started)
	}
}

func TestPickProfile(t *testing.T) {
	raw, store := newTestStore(t)
	second := profile.DefaultProfile()
	second.Name = "Second"
	second.Encoder.FPS = 60
	if err := raw.Put(second); err != nil {
		t.Fatal(err)
	}
	w := newTestWindow(t, store, &fakeEngine{})
	w.profiles.picker.SetSelected("Second")
	if w.prof.Name != "Second" || w.encoder.fps.Selected != "60" {
		t.Fatalf("picked Second, window shows %q at %s fps", w.prof.Name, w.encoder.fps.Selected)
	}
	if got := raw.Selected(); got != "Second" {
		t.Fatalf("store remembers %q, want Second", got)
	}
	// The next start opens on the last profile.
	w2 := newTestWindow(t, store, &fakeEngine{})
	if w2.prof.Name != "Second" {
		t.Fatalf("next start opened %q, want Second", w2.prof.Name)
	}
}

func TestProfileOperations(t *testing.T) {
	raw, store := newTestStore(t)
	w := newTestWindow(t, store, &fakeEngine{})
	if err := w.profiles.duplicate("Copy"); err != nil {
		t.Fatal(err)
	}
	if err := w.profiles.duplicate("Copy"); err == nil {
		t.Fatal("duplicating onto an existing name succeeded")
	}
	if err := w.profiles.rename("Renamed"); err != nil {
		t.Fatal(err)
	}
	if w.prof.Name != "Renamed" || !contains(raw.Names(), "Renamed") || contains(raw.Names(), "Copy") {
		t.Fatalf("after rename: current %q, store %v", w.prof.Name, raw.Names())
	}
	path := t.TempDir() + "/export.json"
	if err := store.Export("Renamed", path, false); err != nil {
		t.Fatal(err)
	}
	if err := w.profiles.remove(); err != nil {
		t.Fatal(err)
	}
	if contains(raw.Names(), "Renamed") || w.prof.Name != profile.DefaultProfileName {
		t.Fatalf("after delete: current %q, store %v", w.prof.Name, raw.Names())
	}
	if err := w.profiles.importFrom(path, profile.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if w.prof.Name != "Renamed" {
		t.Fatalf("import selected %q, want Renamed", w.prof.Name)
	}
	if err := w.profiles.newProfile("Fresh"); err != nil || w.prof.Name != "Fresh" {
		t.Fatalf("new profile: %v, current %q", err, w.prof.Name)
	}
}

func TestDeleteAsksForConfirmation(t *testing.T) {
	raw, store := newTestStore(t)
	w := newTestWindow(t, store, &fakeEngine{})
	if err := w.profiles.duplicate("Other"); err != nil {
		t.Fatal(err)
	}
	test.Tap(findButton(t, w.win.Content(), "Delete"))
	if !contains(raw.Names(), "Other") {
		t.Fatal("deleted before confirmation")
	}
	test.Tap(findButton(t, topOverlay(t, w), "Yes"))
	if contains(raw.Names(), "Other") {
		t.Fatalf("not deleted after confirmation: %v", raw.Names())
	}
}

func TestEncoderChangesAreSavedAndLockedWhileLive(t *testing.T) {
	raw, store := newTestStore(t)
	w := newTestWindow(t, store, &fakeEngine{})
	w.encoder.vrate.SetText("4000")
	w.encoder.size.SetSelected("1920x1080")
	got, _ := raw.Get(w.prof.Name)
	if got.Encoder.VideoBitrate != 4_000_000 || got.Encoder.Width != 1920 || got.Encoder.Height != 1080 {
		t.Fatalf("saved encoder %+v", got.Encoder)
	}
	w.encoder.vrate.SetText("12x")
	if err := w.encoder.vrate.Validate(); err == nil {
		t.Fatal("bitrate 12x accepted")
	}
	got, _ = raw.Get(w.prof.Name)
	if got.Encoder.VideoBitrate != 4_000_000 {
		t.Fatalf("invalid bitrate was saved: %d", got.Encoder.VideoBitrate)
	}
	w.encoder.vrate.SetText("4000")
	test.Tap(w.action.button)
	w.bg.Wait()
	if !w.encoder.size.Disabled() || !w.sources.video.Disabled() || !w.profiles.picker.Disabled() {
		t.Fatal("settings that need a restart are editable while live")
	}
}

func TestToggleDestination(t *testing.T) {
	raw, store := newTestStore(t)
	w := newTestWindow(t, store, &fakeEngine{})
	row := w.dests.rows[0]
	tapCheck(row.enable)
	got, _ := raw.Get(w.prof.Name)
	if got.Destinations[0].Enabled {
		t.Fatal("destination still enabled in the store after unchecking")
	}
	if row.state.Text != "off" {
		t.Fatalf("badge %q, want off", row.state.Text)
	}
	// Nothing enabled: Go Live explains instead of starting.
	test.Tap(w.action.button)
	w.bg.Wait()
	if w.phase != phaseIdle {
		t.Fatal("went live with no destination enabled")
	}
	msg := overlayText(topOverlay(t, w))
	if !strings.Contains(msg, "No destination is enabled") {
		t.Fatalf("dialog says %q", msg)
	}
	tapCheck(row.enable)
	got, _ = raw.Get(w.prof.Name)
	if !got.Destinations[0].Enabled {
		t.Fatal("destination not re-enabled")
	}
}

func TestGoLiveAndEndStream(t *testing.T) {
	_, store := newTestStore(t)
	eng := &fakeEngine{}
	w := newTestWindow(t, store, eng)
	test.Tap(w.action.button)
	w.bg.Wait()
	if w.phase != phaseLive || w.action.button.Text != labelEnd {
		t.Fatalf("phase %v, button %q", w.phase, w.action.button.Text)
	}
	name := w.prof.Destinations[0].Name
	eng.live.setStats(Stats{ElapsedS: 75, FPS: 30, Captured: 2250, Skipped: 50, Encoded: 2200, UploadKbps: 2612,
		Outputs: []dest.Status{{Name: name, Kind: "rtp", State: dest.StateLive, BitrateKbps: 2612.4, FramesSent: 2200, Dropped: 3}}})
	w.tick()
	w.tickFast()
	row := w.dests.row(name)
	if row.state.Text != "live" || row.rate.Text != "2.61 Mb/s" {
		t.Fatalf("row shows %q / %q", row.state.Text, row.rate.Text)
	}
	if got := w.win.Title(); !strings.Contains(got, "LIVE 00:01:15") {
		t.Fatalf("title %q", got)
	}
	if w.status.skipped.Text != "Skipped 50 (2.2%)" || w.status.skipped.Importance != importance(levelWarning) {
		t.Fatalf("skipped %q (importance %v)", w.status.skipped.Text, w.status.skipped.Importance)
	}
	if w.preview.image.Image == nil {
		t.Fatal("preview not updated while live")
	}
	// End asks first.
	test.Tap(w.action.button)
	if w.phase != phaseLive {
		t.Fatal("ended without confirmation")
	}
	test.Tap(findButton(t, topOverlay(t, w), labelEnd))
	w.bg.Wait()
	if w.phase != phaseIdle || !eng.live.closed || w.action.button.Text != labelGoLive {
		t.Fatalf("after End: phase %v closed %v button %q", w.phase, eng.live.closed, w.action.button.Text)
	}
	if row.state.Text != "ready" {
		t.Fatalf("row badge after end %q", row.state.Text)
	}
	if strings.Contains(w.win.Title(), "LIVE") {
		t.Fatalf("title still live: %q", w.win.Title())
	}
}

func TestShortcutTogglesLive(t *testing.T) {
	_, store := newTestStore(t)
	w := newTestWindow(t, store, &fakeEngine{})
	sc := &desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierControl}
	w.win.Canvas().(fyne.Shortcutable).TypedShortcut(sc)
	w.bg.Wait()
	if w.phase != phaseLive {
		t.Fatalf("Ctrl+Enter: phase %v, want live", w.phase)
	}
}

func TestEngineErrorsAreShown(t *testing.T) {
	_, store := newTestStore(t)
	eng := &fakeEngine{startErr: errors.New("encoder failed: libx264 not found")}
	w := newTestWindow(t, store, eng)
	test.Tap(w.action.button)
	w.bg.Wait()
	if w.phase != phaseIdle || !strings.Contains(w.notices.Text("engine"), "libx264 not found") {
		t.Fatalf("start error not shown: phase %v notice %q", w.phase, w.notices.Text("engine"))
	}

	eng.startErr = nil
	test.Tap(findButton(t, topOverlay(t, w), "OK"))
	test.Tap(w.action.button)
	w.bg.Wait()
	name := w.prof.Destinations[0].Name
	eng.live.setStats(Stats{Outputs: []dest.Status{{Name: name, State: dest.StateReconnecting, RetryInS: 4.2,
		LastError: "dial rtmp://host/app/SECRETKEY: connection refused"}}})
	w.tick()
	row := w.dests.row(name)
	if row.state.Text != "reconnecting in 5s" || !row.errMsg.Visible() || strings.Contains(row.errMsg.Text, "SECRETKEY") {
		t.Fatalf("row %q, error %q (visible %v)", row.state.Text, row.errMsg.Text, row.errMsg.Visible())
	}
	test.Tap(row.retry)
	if len(eng.live.retried) != 1 || eng.live.retried[0] != name {
		t.Fatalf("retry now sent %v", eng.live.retried)
	}
	eng.live.fail(errors.New("capture: screen :99 is gone"))
	w.tick()
	w.bg.Wait()
	if w.phase != phaseIdle || !strings.Contains(w.notices.Text("engine"), "screen :99 is gone") {
		t.Fatalf("engine stop not shown: phase %v notice %q", w.phase, w.notices.Text("engine"))
	}
}

func TestPreflightWarnings(t *testing.T) {
	_, store := newTestStore(t)
	warn := "Twitch: video bitrate 9000 kbps is above the maximum of 6000 kbps"
	eng := &fakeEngine{warnings: []string{warn, warn}}
	w := newTestWindow(t, store, eng)
	test.Tap(w.action.button)
	if w.phase != phaseIdle {
		t.Fatal("went live without confirming the warning")
	}
	if msg := overlayText(topOverlay(t, w)); strings.Count(msg, "above the maximum") != 1 {
		t.Fatalf("warning dialog says %q: want the problem once", msg)
	}
	pressKey(w, fyne.KeyReturn) // the default answer: go back and fix
	if w.phase != phaseIdle || w.win.Canvas().Overlays().Top() != nil {
		t.Fatalf("Enter on the Go Live check: phase %v, dialog open %v; want back to the window", w.phase,
			w.win.Canvas().Overlays().Top() != nil)
	}
	test.Tap(w.action.button)
	test.Tap(findButton(t, topOverlay(t, w), labelGoLiveAnyway))
	w.bg.Wait()
	if w.phase != phaseLive {
		t.Fatal("confirming the warning did not go live")
	}

	p := profile.DefaultProfile()
	p.Encoder.VideoBitrate = 8_000_000
	for i := range 3 {
		p.Destinations = append(p.Destinations, profile.Destination{Name: "r" + string(rune('a'+i)), Kind: "rtmp",
			Enabled: true, RTMP: &profile.RTMP{URL: "rtmp://example.com/live", Key: "k"}})
	}
	_, warnings := w.preflight(p)
	if len(warnings) < 2 || !strings.Contains(warnings[1], "3 network destinations") {
		t.Fatalf("upload warning missing: %q", warnings)
	}
}

// tapCheck taps a check box in the middle of its box.
func tapCheck(c *widget.Check) {
	test.TapAt(c, fyne.NewPos(8, c.Size().Height/2))
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// overlayText joins the text of every label in a dialog.
func overlayText(o fyne.CanvasObject) string {
	var parts []string
	for _, obj := range test.LaidOutObjects(o) {
		switch l := obj.(type) {
		case *widget.Label:
			parts = append(parts, l.Text)
		case *middleLabel:
			parts = append(parts, l.Full)
		}
	}
	return strings.Join(parts, "\n")
}

func TestGoLiveWithoutScreenExplains(t *testing.T) {
	raw, store := newTestStore(t)
	p := profile.DefaultProfile()
	p.Name = "Screen"
	p.Capture.Source = profile.SourceScreen
	if err := raw.Put(p); err != nil {
		t.Fatal(err)
	}
	if err := raw.Select("Screen"); err != nil {
		t.Fatal(err)
	}
	eng := &fakeEngine{}
	w := newTestWindow(t, store, eng)
	test.Tap(w.action.button)
	w.bg.Wait()
	if w.phase != phaseIdle || len(eng.started) != 0 {
		t.Fatal("went live capturing a screen on a machine without one")
	}
	if msg := overlayText(topOverlay(t, w)); !strings.Contains(msg, "No screen to capture") {
		t.Fatalf("dialog says %q", msg)
	}
}

func TestMuteWhileLive(t *testing.T) {
	_, store := newTestStore(t)
	eng := &fakeEngine{}
	w := newTestWindow(t, store, eng)
	if !w.sources.mute.Disabled() {
		t.Fatal("mute enabled with no stream")
	}
	test.Tap(w.action.button)
	w.bg.Wait()
	if w.sources.mute.Disabled() {
		t.Fatal("mute disabled on a session that can mute")
	}
	tapCheck(w.sources.mute)
	eng.live.setStats(Stats{PeakDB: -3})
	w.tickFast()
	if !eng.live.muted || w.sources.meter.peakDB != meterFloor {
		t.Fatalf("muted=%v meter %v dB", eng.live.muted, w.sources.meter.peakDB)
	}
}

// pressKey types a key as the desktop driver does: to the focused widget,
// else to the window's canvas.
func pressKey(w *mainWindow, key fyne.KeyName) {
	ev := &fyne.KeyEvent{Name: key}
	if f := w.win.Canvas().Focused(); f != nil {
		f.TypedKey(ev)
		return
	}
	if h := w.win.Canvas().OnTypedKey(); h != nil {
		h(ev)
	}
}
