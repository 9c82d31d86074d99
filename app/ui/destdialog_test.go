package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"golive/app/profile"
)

func TestAddRTMPDestinationThroughDialog(t *testing.T) {
	raw, store := newTestStore(t)
	w := newTestWindow(t, store, &fakeEngine{})
	test.Tap(w.dests.add)
	dd := w.lastDestDialog
	if dd == nil || dd.kind.Selected != typeRTMP {
		t.Fatal("Add destination did not open the RTMP dialog")
	}
	test.Type(dd.name, "My server")
	test.Type(dd.server, "http://127.0.0.1/live")
	if !dd.msg.Visible() || !strings.Contains(dd.msg.Text, "unsupported scheme") {
		t.Fatalf("invalid URL message %q (visible %v)", dd.msg.Text, dd.msg.Visible())
	}
	if err := dd.server.Validate(); err == nil || !strings.Contains(err.Error(), "rtmp://") {
		t.Fatalf("server field error %v", err)
	}
	if !dd.save.Disabled() {
		t.Fatal("Save enabled with an invalid URL")
	}
	dd.server.SetText("")
	test.Type(dd.server, "rtmp://127.0.0.1:1935/live")
	if !strings.Contains(dd.msg.Text, "stream key") {
		t.Fatalf("missing key not reported: %q", dd.msg.Text)
	}
	test.Type(dd.key, "live_0123456789abcdef")
	if dd.msg.Visible() || dd.save.Disabled() {
		t.Fatalf("valid destination refused: %q", dd.msg.Text)
	}
	test.Tap(dd.save)
	if w.win.Canvas().Overlays().Top() != nil {
		t.Fatal("dialog still open after Save")
	}
	got, err := raw.Get(w.prof.Name)
	if err != nil {
		t.Fatal(err)
	}
	d, ok := got.Destination("My server")
	if !ok || d.Kind != profile.KindRTMP || d.RTMP.URL != "rtmp://127.0.0.1:1935/live" ||
		d.RTMP.Key != "live_0123456789abcdef" || !d.Enabled {
		t.Fatalf("saved destination %+v (found %v)", d, ok)
	}
	row := w.dests.row("My server")
	if row == nil {
		t.Fatal("no row for the new destination")
	}
	text := overlayText(row.object)
	if strings.Contains(text, "0123456789") || !strings.Contains(text, "****cdef") {
		t.Fatalf("row target does not mask the key: %q", text)
	}
}

func TestDestinationDialogValidatesEachType(t *testing.T) {
	_, store := newTestStore(t)
	w := newTestWindow(t, store, &fakeEngine{})
	dd := openDestDialog(w, -1, profile.Destination{Kind: profile.KindRTMP})

	dd.service.SetSelected("Facebook")
	if dd.kind.Selected != typeRTMPS || !strings.HasPrefix(dd.server.Text, "rtmps://") || dd.nameOrDefault() != "Facebook" {
		t.Fatalf("Facebook preset: type %s server %q name %q", dd.kind.Selected, dd.server.Text, dd.nameOrDefault())
	}
	dd.server.SetText("rtmp://live-api-s.facebook.com/rtmp")
	if !strings.Contains(dd.errs["rtmp.url"], "rtmps://") {
		t.Fatalf("RTMPS type with rtmp:// URL: %q", dd.errs["rtmp.url"])
	}

	dd.kind.SetSelected(typeRTP)
	if dd.nameOrDefault() != "RTP preview" || dd.groups[profile.KindRTMP].Visible() || !dd.groups[profile.KindRTP].Visible() {
		t.Fatal("RTP type does not show the RTP fields")
	}
	dd.host.SetText("127.0.0.1")
	dd.port.SetText("50x4")
	if !strings.Contains(dd.errs["rtp.port"], "port must be a number") || !dd.save.Disabled() {
		t.Fatalf("bad port: %q", dd.errs["rtp.port"])
	}
	dd.port.SetText("70000")
	if dd.errs["rtp.port"] == "" {
		t.Fatal("port 70000 accepted")
	}
	dd.port.SetText("5006")
	dd.mtu.SetText("100")
	if dd.errs["rtp.mtu"] == "" {
		t.Fatal("MTU 100 accepted")
	}
	dd.mtu.SetText("")
	if !dd.msg.Hidden && dd.msg.Text != "" {
		t.Fatalf("valid RTP refused: %q", dd.msg.Text)
	}

	dd.kind.SetSelected(typeRecord)
	if dd.errs["record.path"] == "" {
		t.Fatal("recording without a file accepted")
	}
	dd.path.SetText(t.TempDir() + "/out.mkv")
	dd.name.SetText(w.prof.Destinations[0].Name)
	if !strings.Contains(dd.errs["name"], "already") {
		t.Fatalf("duplicate name accepted: %q", dd.errs["name"])
	}
}

func TestEditDestinationKeepsKeyAndRenames(t *testing.T) {
	raw, store := newTestStore(t)
	w := newTestWindow(t, store, &fakeEngine{})
	if err := w.dests.put(-1, profile.Destination{Name: "Twitch", Kind: profile.KindRTMP, Enabled: true,
		RTMP: &profile.RTMP{Service: "twitch", URL: "rtmp://live.twitch.tv/app", Key: "live_abcdefghijklmnop"}}); err != nil {
		t.Fatal(err)
	}
	test.Tap(w.dests.row("Twitch").edit)
	dd := w.lastDestDialog
	if dd.key.Text != "live_abcdefghijklmnop" || dd.service.Selected != "Twitch" {
		t.Fatalf("edit dialog shows key %q service %q", dd.key.Text, dd.service.Selected)
	}
	dd.name.SetText("Twitch main")
	test.Tap(dd.save)
	got, _ := raw.Get(w.prof.Name)
	d, ok := got.Destination("Twitch main")
	if !ok || d.RTMP.Key != "live_abcdefghijklmnop" || len(got.Destinations) != 2 {
		t.Fatalf("after edit: %+v", got.Destinations)
	}
	test.Tap(w.dests.row("Twitch main").remove)
	test.Tap(findButton(t, topOverlay(t, w), "Yes"))
	got, _ = raw.Get(w.prof.Name)
	if len(got.Destinations) != 1 {
		t.Fatalf("remove left %d destinations", len(got.Destinations))
	}
}

func TestRTPRowActions(t *testing.T) {
	_, store := newTestStore(t)
	eng := &fakeEngine{}
	w := newTestWindow(t, store, eng)
	row := w.dests.rows[0]
	if row.vlc == nil || row.sdp == nil {
		t.Fatal("RTP row without Open in VLC / Copy SDP path")
	}
	test.Tap(w.action.button)
	w.bg.Wait()
	test.Tap(row.sdp)
	want := "/tmp/" + row.d.Name + ".sdp"
	if got := w.app.Clipboard().Content(); got != want {
		t.Fatalf("clipboard %q, want %q", got, want)
	}
	test.Tap(row.vlc)
	if msg := overlayText(topOverlay(t, w)); !strings.Contains(msg, "vlc is not installed") {
		t.Fatalf("VLC failure shows %q", msg)
	}
}

// TestSummaryCapitalisesALetter: a problem that starts with its field's
// label is capitalised by its first letter, not its first byte (a
// multi-byte first character stays valid UTF-8), and an empty message
// gets its label.
func TestSummaryCapitalisesALetter(t *testing.T) {
	// A field without a window label is labelled by its own name.
	dd := &destDialog{errs: map[string]string{"ñ.field": "ñ.field is bad", "x": ""}}
	got := dd.summary()
	if got != "x: \nÑ.field is bad" {
		t.Fatalf("summary %q", got)
	}
}
