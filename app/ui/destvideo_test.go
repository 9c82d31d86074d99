package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"golive/app/profile"
)

// ServesVideo answers for the fake stream: the renditions the test says
// it encodes.
func (l *fakeLive) ServesVideo(d profile.Destination) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.serves != nil && l.serves(d)
}

// editVideo opens the dialog of the named destination and chooses Custom.
func editVideo(t *testing.T, w *mainWindow, name string) *destDialog {
	t.Helper()
	test.Tap(w.dests.row(name).edit)
	dd := w.lastDestDialog
	if dd.video.mode.Selected != videoSame || dd.video.custom.Visible() {
		t.Fatalf("video mode %q (custom fields shown %v), want same as main", dd.video.mode.Selected, dd.video.custom.Visible())
	}
	dd.video.mode.SetSelected(videoCustom)
	if !dd.video.custom.Visible() {
		t.Fatal("Custom does not show the rendition fields")
	}
	return dd
}

// TestDestinationDialogEditsRendition: Custom video in the destination
// dialog saves the rendition in the profile and the row shows it; a
// typo'd field blocks Save with its own message (nothing saved); Same as
// main clears it and the row shows nothing extra.
func TestDestinationDialogEditsRendition(t *testing.T) {
	raw, store := newTestStore(t)
	w := newTestWindow(t, store, &fakeEngine{})
	if err := w.dests.put(-1, rtmpDest("Twitch", "app", true)); err != nil {
		t.Fatal(err)
	}
	w.prof.Encoder.FPS = 60
	dd := editVideo(t, w, "Twitch")
	test.Type(dd.video.size, "1280x720")
	test.Type(dd.video.fps, "3O") // the letter O
	test.Type(dd.video.rate, "3000")
	if !dd.save.Disabled() || !strings.Contains(dd.msg.Text, "Video frame rate: frame rate must be a whole number") {
		t.Fatalf("typo'd fps: Save disabled %v, message %q", dd.save.Disabled(), dd.msg.Text)
	}
	if err := dd.video.fps.Validate(); err == nil {
		t.Fatal("the fps field is not marked invalid")
	}
	test.Tap(dd.save)
	pressKey(w, fyne.KeyReturn)
	if got, _ := raw.Get(w.prof.Name); got.Destinations[len(got.Destinations)-1].Video != nil {
		t.Fatalf("a typo'd rendition was saved: %+v", got.Destinations[len(got.Destinations)-1].Video)
	}
	dd.video.fps.SetText("")
	test.Type(dd.video.fps, "30")
	test.Type(dd.video.preset, "veryfsat")
	if !dd.save.Disabled() || !strings.Contains(dd.msg.Text, `Video preset: preset "veryfsat": want one of ultrafast`) {
		t.Fatalf("typo'd preset: %q", dd.msg.Text)
	}
	dd.video.preset.SetText("")
	if dd.save.Disabled() {
		t.Fatalf("valid rendition refused: %q", dd.msg.Text)
	}
	test.Tap(dd.save)
	got, err := raw.Get(w.prof.Name)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := got.Destination("Twitch")
	if v := d.Video; v == nil || *v != (profile.Video{Width: 1280, Height: 720, FPS: 30, VideoBitrate: 3_000_000}) {
		t.Fatalf("saved rendition %+v", v)
	}
	row := w.dests.row("Twitch")
	if text := overlayText(row.object); !strings.Contains(text, "720p30 · 3.0 Mb/s · H.264") {
		t.Fatalf("row says %q, want its rendition", text)
	}
	if text := overlayText(w.dests.rows[0].object); strings.Contains(text, "Mb/s ·") {
		t.Fatalf("a destination on the main video shows a rendition: %q", text)
	}

	test.Tap(row.edit)
	dd = w.lastDestDialog
	if dd.video.mode.Selected != videoCustom || dd.video.size.Text != "1280x720" || dd.video.rate.Text != "3000" {
		t.Fatalf("dialog shows mode %q size %q rate %q", dd.video.mode.Selected, dd.video.size.Text, dd.video.rate.Text)
	}
	dd.video.mode.SetSelected(videoSame)
	test.Tap(dd.save)
	got, _ = raw.Get(w.prof.Name)
	if d, _ := got.Destination("Twitch"); d.Video != nil || w.dests.row("Twitch").video.Visible() {
		t.Fatalf("same as main kept %+v (row shows %q)", d.Video, w.dests.row("Twitch").video.Text)
	}
}

// TestDestinationDialogVerticalAndRefusals: a vertical rendition shows as
// such on the row; HEVC to Twitch is refused in the dialog when chosen,
// naming the service; a rendition faster than the capture is refused.
func TestDestinationDialogVerticalAndRefusals(t *testing.T) {
	raw, store := newTestStore(t)
	w := newTestWindow(t, store, &fakeEngine{})
	tw := rtmpDest("Twitch", "app", true)
	tw.RTMP.Service, tw.RTMP.URL = "twitch", "rtmp://live.twitch.tv/app"
	if err := w.dests.put(-1, tw); err != nil {
		t.Fatal(err)
	}
	dd := editVideo(t, w, "Twitch")
	dd.video.codec.SetSelected("HEVC")
	if !dd.save.Disabled() || !strings.Contains(dd.msg.Text, "Video codec: Twitch does not take hevc video") {
		t.Fatalf("HEVC to Twitch: %q", dd.msg.Text)
	}
	dd.video.codec.SetSelected("H.264")
	test.Type(dd.video.fps, "120")
	if !strings.Contains(dd.msg.Text, "120 fps is above the main 30 fps") {
		t.Fatalf("fps above the capture: %q", dd.msg.Text)
	}
	dd.video.fps.SetText("")
	dd.video.layout.SetSelected(layoutChoices[1])
	test.Type(dd.video.size, "1080x1920")
	test.Type(dd.video.rate, "4000")
	test.Tap(dd.save)
	got, _ := raw.Get(w.prof.Name)
	d, _ := got.Destination("Twitch")
	if d.Video == nil || d.Video.Layout != profile.LayoutVertical || d.Video.Width != 1080 || d.Video.Codec != "" {
		t.Fatalf("saved %+v", d.Video)
	}
	if text := w.dests.row("Twitch").video.Text; !strings.HasPrefix(text, "Video vertical 1080x1920 · 30 fps · 4.0 Mb/s") {
		t.Fatalf("row says %q", text)
	}
}

// TestRenditionChangedWhileLive: while live, a video the stream already
// encodes applies at once (UpdateOutput); one needing a new encoder is
// saved, said to take effect at the next Go Live, and the destination
// keeps streaming its current video.
func TestRenditionChangedWhileLive(t *testing.T) {
	w, eng, raw := liveWindow(t)
	small := &profile.Video{Width: 854, Height: 480}
	eng.live.mu.Lock()
	eng.live.serves = func(d profile.Destination) bool { return d.Video != nil && *d.Video == *small }
	eng.live.mu.Unlock()

	dd := editVideo(t, w, "A")
	test.Type(dd.video.size, "640x360")
	if !dd.video.note.Visible() || !strings.Contains(dd.video.note.Text, "takes effect at the next Go Live") {
		t.Fatalf("live note %q", dd.video.note.Text)
	}
	test.Tap(dd.save)
	w.bg.Wait()
	wantCalls(t, eng.live) // nothing else changed: A keeps streaming as it was
	if text := w.dests.row("A").video.Text; !strings.Contains(text, "360p30 · 2.5 Mb/s") || !strings.Contains(text, "(from the next Go Live)") {
		t.Fatalf("row A says %q", text)
	}
	got, _ := raw.Get(w.prof.Name)
	if d, _ := got.Destination("A"); d.Video == nil || d.Video.Width != 640 {
		t.Fatalf("saved %+v", d.Video)
	}

	dd = editVideo(t, w, "B")
	test.Type(dd.video.size, "854x480")
	if !strings.Contains(dd.video.note.Text, "already encodes this video") {
		t.Fatalf("live note %q", dd.video.note.Text)
	}
	test.Tap(dd.save)
	w.bg.Wait()
	wantCalls(t, eng.live, "update B")
	if text := w.dests.row("B").video.Text; strings.Contains(text, "next Go Live") || !strings.Contains(text, "854x480@30") {
		t.Fatalf("row B says %q", text)
	}
}

// cpuEngine is a fake engine with the real CPU estimate.
type cpuEngine struct{ *fakeEngine }

func (cpuEngine) CheckCPU(p profile.Profile) string { return (&sessionEngine{}).CheckCPU(p) }

// TestGoLiveCheckWarnsOfCPU: the window's Go Live check shows the
// session's CPU estimate when the encoders would overload the machine
// (four HEVC 1080p60 encoders at x265's veryslow preset: over a hundred
// cores), and nothing for the main 720p30 alone.
func TestGoLiveCheckWarnsOfCPU(t *testing.T) {
	raw, store := newTestStore(t)
	p := profile.DefaultProfile()
	p.Name = "Heavy"
	p.Capture = profile.Capture{Source: profile.SourceTest, Audio: profile.AudioNone}
	p.Destinations = []profile.Destination{rtmpDest("A", "live", true)}
	if err := raw.Put(p); err != nil {
		t.Fatal(err)
	}
	if err := raw.Select("Heavy"); err != nil {
		t.Fatal(err)
	}
	eng := cpuEngine{&fakeEngine{}}
	w := newTestWindow(t, store, eng)
	if _, warnings := w.preflight(w.prof); len(warnings) != 0 {
		t.Fatalf("720p30 alone warned: %q", warnings)
	}
	w.prof.Encoder.FPS = 60
	for i, name := range []string{"B", "C", "D", "E"} {
		d := rtmpDest(name, "live"+name, true)
		d.Video = &profile.Video{Width: 1920, Height: 1080 - 2*i, Codec: profile.CodecHEVC, Preset: "veryslow"}
		w.prof.Destinations = append(w.prof.Destinations, d)
	}
	_, warnings := w.preflight(w.prof)
	if len(warnings) != 1 || !strings.HasPrefix(warnings[0], "The 5 encoders need about ") ||
		!strings.Contains(warnings[0], "expect skipped frames") {
		t.Fatalf("warnings %q", warnings)
	}
}
