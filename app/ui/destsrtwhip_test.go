package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"golive/app/profile"
	"golive/outputs/dest"
)

const (
	testPassphrase = "Corr3ct-Horse-Battery"
	testToken      = "whipTok_9f8e7d6c5b4a3210"
)

// shownTexts is every text drawn in o (a masked field draws bullets) and
// every text a label or unmasked field holds.
func shownTexts(o fyne.CanvasObject) string {
	var b strings.Builder
	for _, obj := range test.LaidOutObjects(o) {
		switch x := obj.(type) {
		case *canvas.Text:
			b.WriteString(x.Text + "\n")
		case *widget.Label:
			b.WriteString(x.Text + "\n")
		case *middleLabel:
			b.WriteString(x.Full + "\n")
		case *widget.Entry:
			if !x.Password {
				b.WriteString(x.Text + "\n")
			}
		case *keyEntry:
			if !x.Password {
				b.WriteString(x.Text + "\n")
			}
		}
	}
	return b.String()
}

// assertSecretHidden fails if secret is in any text of the window or of
// its dialogs.
func assertSecretHidden(t *testing.T, w *mainWindow, secret string) {
	t.Helper()
	texts := shownTexts(w.win.Content())
	for _, o := range w.win.Canvas().Overlays().List() {
		texts += shownTexts(o)
	}
	if strings.Contains(texts, secret) {
		t.Fatalf("the secret is shown in a widget:\n%s", texts)
	}
}

// assertKeyInStoreOnly checks the saved profile has secret and the
// profiles file does not.
func assertKeyInStoreOnly(t *testing.T, raw *profile.Store, secret string) {
	t.Helper()
	entries, err := os.ReadDir(raw.Dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(raw.Dir, e.Name()))
		if err == nil && strings.Contains(string(data), secret) {
			t.Fatalf("%s holds the secret", e.Name())
		}
	}
	if kr, ok := raw.Keyring.(*profile.MemoryKeyring); !ok || kr.Len() == 0 {
		t.Fatal("nothing in the key store")
	}
}

func TestAddSRTDestinationThroughDialog(t *testing.T) {
	raw, store := newTestStore(t)
	w := newTestWindow(t, store, &fakeEngine{})
	test.Tap(w.dests.add)
	dd := w.lastDestDialog
	dd.kind.SetSelected(typeSRT)
	if !dd.groups[profile.KindSRT].Visible() || dd.groups[profile.KindRTMP].Visible() || !dd.srt.key.Password {
		t.Fatal("SRT type does not show the SRT fields (masked passphrase)")
	}
	test.Type(dd.srt.url, "srt://127.0.0.1")
	if !dd.save.Disabled() || !dd.msg.Visible() || !strings.HasPrefix(dd.msg.Text, "URL: ") || dd.errs["srt.url"] == "" {
		t.Fatalf("invalid SRT URL: save disabled %v, message %q", dd.save.Disabled(), dd.msg.Text)
	}
	if err := dd.srt.url.Validate(); err == nil {
		t.Fatal("the URL field shows no error")
	}
	dd.srt.url.SetText("srt://127.0.0.1:9000?streamid=publish:live&passphrase=" + testPassphrase)
	if !strings.Contains(dd.errs["srt.url"], "Passphrase field") || !dd.save.Disabled() {
		t.Fatalf("passphrase in the URL: %q", dd.errs["srt.url"])
	}
	dd.srt.url.SetText("")
	test.Type(dd.srt.url, "srt://127.0.0.1:9000?streamid=publish:live")
	test.Type(dd.srt.key, "short")
	if dd.errs["srt.key"] == "" || !dd.save.Disabled() {
		t.Fatalf("5-character passphrase accepted: %q", dd.msg.Text)
	}
	dd.srt.key.SetText("")
	test.Type(dd.srt.key, testPassphrase)
	test.Type(dd.srt.latency, "5")
	if !strings.Contains(dd.errs["srt.latency"], "out of range") || !dd.save.Disabled() {
		t.Fatalf("latency 5 ms: %q", dd.errs["srt.latency"])
	}
	test.Type(dd.srt.latency, "00")
	if dd.save.Disabled() || dd.nameOrDefault() != "SRT 127.0.0.1:9000" {
		t.Fatalf("valid SRT refused (%q) or named %q", dd.msg.Text, dd.nameOrDefault())
	}
	assertSecretHidden(t, w, testPassphrase)
	w.win.Canvas().Focus(dd.srt.latency)
	pressKey(w, fyne.KeyReturn)
	if overlays(w) != 0 {
		t.Fatal("Enter did not save the SRT destination")
	}
	got, _ := raw.Get(w.prof.Name)
	d, ok := got.Destination("SRT 127.0.0.1:9000")
	if !ok || d.Kind != profile.KindSRT || d.SRT == nil || d.SRT.URL != "srt://127.0.0.1:9000?streamid=publish%3Alive" ||
		d.SRT.Key != testPassphrase || d.SRT.Latency != 500 {
		t.Fatalf("saved %+v (found %v)", d, ok)
	}
	assertKeyInStoreOnly(t, raw, testPassphrase)
	row := w.dests.row(d.Name)
	if row == nil || !strings.HasPrefix(row.target.Full, "SRT  srt://127.0.0.1:9000") || !strings.Contains(row.target.Full, "(encrypted)") {
		t.Fatalf("row target %q", row.target.Full)
	}
	assertSecretHidden(t, w, testPassphrase)
}

func TestAddWHIPDestinationThroughDialog(t *testing.T) {
	raw, store := newTestStore(t)
	w := newTestWindow(t, store, &fakeEngine{})
	test.Tap(w.dests.add)
	dd := w.lastDestDialog
	dd.kind.SetSelected(typeWHIP)
	if !dd.groups[profile.KindWHIP].Visible() || dd.groups[profile.KindRTMP].Visible() || !dd.whip.key.Password {
		t.Fatal("WHIP type does not show the WHIP fields (masked token)")
	}
	test.Type(dd.whip.url, "ftp://127.0.0.1/whip")
	if !dd.save.Disabled() || !strings.Contains(dd.msg.Text, "https://") {
		t.Fatalf("invalid WHIP URL: save disabled %v, message %q", dd.save.Disabled(), dd.msg.Text)
	}
	dd.whip.url.SetText("")
	test.Type(dd.whip.url, "http://127.0.0.1:8889/live/whip")
	test.Type(dd.whip.key, "bad token")
	if dd.errs["whip.key"] == "" || !dd.save.Disabled() {
		t.Fatalf("token with a space accepted: %q", dd.msg.Text)
	}
	dd.whip.key.SetText(testToken)
	if dd.save.Disabled() || dd.nameOrDefault() != "WHIP 127.0.0.1:8889" {
		t.Fatalf("valid WHIP refused (%q) or named %q", dd.msg.Text, dd.nameOrDefault())
	}
	test.Tap(dd.save)
	got, _ := raw.Get(w.prof.Name)
	d, ok := got.Destination("WHIP 127.0.0.1:8889")
	if !ok || d.Kind != profile.KindWHIP || d.WHIP == nil || d.WHIP.URL != "http://127.0.0.1:8889/live/whip" || d.WHIP.Key != testToken {
		t.Fatalf("saved %+v (found %v)", d, ok)
	}
	assertKeyInStoreOnly(t, raw, testToken)
	row := w.dests.row(d.Name)
	if row == nil || row.target.Full != "WHIP  http://127.0.0.1:8889/live/whip (token)" {
		t.Fatalf("row target %+v", row)
	}
	assertSecretHidden(t, w, testToken)
}

func TestEditSRTDestinationShowsSRTFields(t *testing.T) {
	raw, store := newTestStore(t)
	eng := &fakeEngine{}
	w := newTestWindow(t, store, eng)
	if err := w.dests.put(-1, profile.Destination{Name: "Contribution", Kind: profile.KindSRT, Enabled: true,
		SRT: &profile.SRT{URL: "srt://10.0.0.5:9000?streamid=cam1", Key: testPassphrase, Latency: 300}}); err != nil {
		t.Fatal(err)
	}
	test.Tap(w.dests.row("Contribution").edit)
	dd := w.lastDestDialog
	if dd.kind.Selected != typeSRT || !dd.groups[profile.KindSRT].Visible() || dd.groups[profile.KindRTMP].Visible() {
		t.Fatalf("editing SRT shows type %q with the RTMP fields %v", dd.kind.Selected, dd.groups[profile.KindRTMP].Visible())
	}
	if dd.srt.url.Text != "srt://10.0.0.5:9000?streamid=cam1" || dd.srt.latency.Text != "300" ||
		dd.srt.key.Text != testPassphrase || dd.save.Disabled() {
		t.Fatalf("fields %q %q, save disabled %v (%q)", dd.srt.url.Text, dd.srt.latency.Text, dd.save.Disabled(), dd.msg.Text)
	}
	assertSecretHidden(t, w, testPassphrase)
	dd.srt.latency.SetText("")
	pressKey(w, fyne.KeyEscape)
	if got, _ := raw.Get(w.prof.Name); overlays(w) != 0 || got.Destinations[1].SRT.Latency != 300 {
		t.Fatal("Esc did not cancel the edit")
	}
	test.Tap(w.dests.row("Contribution").edit)
	w.lastDestDialog.srt.latency.SetText("800")
	test.Tap(w.lastDestDialog.save)
	got, _ := raw.Get(w.prof.Name)
	if d := got.Destinations[1]; d.SRT == nil || d.SRT.Latency != 800 || d.SRT.Key != testPassphrase || d.RTMP != nil {
		t.Fatalf("after edit %+v", d)
	}

	test.Tap(w.action.button)
	w.bg.Wait()
	eng.live.setStats(Stats{Outputs: []dest.Status{{Name: "Contribution", Kind: "srt", State: dest.StateLive,
		Detail: map[string]any{"rtt_ms": 12.4, "estimate_kbps": 48000.0, "nacks": uint64(7), "retransmitted": int64(9),
			"lost": int64(1), "send_buffer_ms": 41.0}}}})
	w.tick()
	w.tickFast()
	const want = "RTT 12 ms · estimate 48.00 Mb/s · 7 NACKs, 9 resent, 1 lost · send buffer 41 ms"
	if row := w.dests.row("Contribution"); row.proto.Text != want {
		t.Fatalf("SRT figures %q", row.proto.Text)
	}
	assertSecretHidden(t, w, testPassphrase)
}

// TestSRTWHIPErrorsForPeople: the refusals of an SRT listener or a WHIP
// endpoint each get their own sentence naming the host.
func TestSRTWHIPErrorsForPeople(t *testing.T) {
	srt := profile.Destination{Name: "Contribution", Kind: profile.KindSRT, Enabled: true,
		SRT: &profile.SRT{URL: "srt://ingest.example.org:9000?streamid=cam1", Key: testPassphrase}}
	whip := profile.Destination{Name: "Cloud", Kind: profile.KindWHIP, Enabled: true,
		WHIP: &profile.WHIP{URL: "https://whip.example.net:4010/live", Key: testToken}}
	cases := []struct {
		d         profile.Destination
		raw, want string
	}{
		{srt, "srt ingest.example.org:9000: wrong passphrase: the listener could not decrypt with it (check the destination's passphrase)",
			"Contribution: ingest.example.org could not decrypt the stream with this passphrase"},
		{srt, `srt ingest.example.org:9000: stream id refused: the listener refused stream id "cam1" (403)`,
			"Contribution: ingest.example.org refused the stream id"},
		{srt, "srt ingest.example.org:9000: no SRT listener answered within 3s",
			"Contribution: no SRT listener answered at ingest.example.org"},
		{whip, "whip whip.example.net:4010: 401 Unauthorized: the server refused the bearer token (check the destination's key)",
			"Cloud: whip.example.net refused the bearer token"},
		{whip, "whip whip.example.net:4010: 404 Not Found", "Cloud: whip.example.net has no WHIP endpoint at this URL"},
		{whip, "whip whip.example.net:4010: ICE failed: no candidate pair works", "Cloud: no media path to whip.example.net"},
		{whip, "whip whip.example.net:4010: connection lost (ICE or DTLS failed)", "Cloud: the connection to whip.example.net was lost"},
	}
	for _, c := range cases {
		p := explain(c.d, dest.Status{State: dest.StateFailed, LastError: c.raw})
		if !strings.HasPrefix(p.Message, c.want) || strings.Contains(p.Message, testPassphrase) {
			t.Errorf("%q\n  says %q\n  want %q…", c.raw, p.Message, c.want)
		}
	}
}
