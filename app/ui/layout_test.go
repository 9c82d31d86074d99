package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"golive/app/profile"
	"golive/outputs/dest"
)

// minWindowWidth is the widest the window may ask to be: half of a
// 1920-pixel screen, less borders.
const minWindowWidth = 900

// TestLayoutNeverOverflows: long names, URLs, device labels and errors
// (a refused certificate, a host-name typo) never make the window ask for
// more than 900 pixels, and every row's buttons stay inside it.
func TestLayoutNeverOverflows(t *testing.T) {
	raw, store := newTestStore(t)
	p := profile.DefaultProfile()
	p.Name = "Long"
	long := strings.Repeat("very-long-segment.", 8)
	p.Destinations = append(p.Destinations,
		profile.Destination{Name: "A destination with a really quite long name for a streaming pl",
			Kind: profile.KindRTMP, Enabled: true, RTMP: &profile.RTMP{Service: "custom",
				URL: "rtmps://" + long + "example.com:443/" + strings.ReplaceAll(long, ".", "/"), Key: "live_" + strings.Repeat("k", 120)}},
		rtmpDest("Typo", "live", true))
	p.Destinations[2].RTMP.URL = "rtmp://no-such-host." + long + "invalid/live"
	if err := raw.Put(p); err != nil {
		t.Fatal(err)
	}
	if err := raw.Select("Long"); err != nil {
		t.Fatal(err)
	}
	eng := &fakeEngine{devices: Devices{Screens: []Screen{{Label: "HDMI-A-1 " + long + " 3840x2160 (:0.0)", Display: ":0.0"}},
		Microphones: []string{"alsa_input.usb-Manufacturer_" + long + "_Microphone-00.analog-stereo"},
		Encoders:    []string{"libx264"}}}
	a := test.NewTempApp(t)
	a.Settings().SetTheme(newTheme()) // the real window's sizes
	w := newTestWindowOn(t, a, store, eng)
	w.win.Resize(fyne.NewSize(minWindowWidth, 700))
	checkFits(t, w, "idle")

	test.Tap(w.action.button)
	w.bg.Wait()
	certErr := "rtmps " + long + "example.com: server certificate rejected: tls: failed to verify certificate: " +
		"x509: certificate signed by unknown authority (possibly because of \"crypto/rsa: verification error\" " +
		"while trying to verify candidate authority certificate \"" + long + "\") (give the server's CA file or pin its certificate)"
	for i := range 5 {
		eng.live.setStats(Stats{ElapsedS: float64(i), Outputs: []dest.Status{
			{Name: p.Destinations[0].Name, State: dest.StateLive, BitrateKbps: 2600, FramesSent: uint64(30 * i)},
			{Name: p.Destinations[1].Name, State: dest.StateFailed, RetryInS: 280, LastError: certErr},
			{Name: "Typo", State: dest.StateReconnecting, RetryInS: 12, Reconnects: uint64(i),
				LastError: "connect to no-such-host-" + long + ".invalid:1935: dial tcp: lookup no-such-host-" + long + ".invalid: no such host"},
		}})
		w.tick()
	}
	checkFits(t, w, "live with failures")
	failing := w.dests.row(p.Destinations[1].Name)
	if failing.state.Text != "failed" || !strings.Contains(failing.errMsg.Text, "certificate is not trusted") {
		t.Fatalf("failing row: badge %q, message %q", failing.state.Text, failing.errMsg.Text)
	}
	if !failing.trust.Visible() || !failing.details.Visible() {
		t.Fatal("a refused certificate offers no Trust / Details")
	}
	typo := w.dests.row("Typo")
	if !typo.retry.Visible() || !strings.Contains(typo.errMsg.Text, "was not found: check it for a typo") {
		t.Fatalf("typo row: %q", typo.errMsg.Text)
	}
	for _, r := range w.dests.rows {
		for _, b := range []fyne.CanvasObject{r.toggle, r.retry, r.trust, r.details, r.edit, r.remove, r.state} {
			if !b.Visible() {
				continue
			}
			pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(b)
			if pos.X < 0 || pos.X+b.Size().Width > minWindowWidth+0.5 {
				t.Errorf("row %.20q: %T at x=%.0f..%.0f, outside the %d-pixel window", r.d.Name, b, pos.X,
					pos.X+b.Size().Width, minWindowWidth)
			}
		}
	}
	if got := failing.target.Shown(); !strings.Contains(got, "…") || !strings.HasPrefix(got, "RTMPS  rtmps://") {
		t.Fatalf("long URL shown as %q, want it elided in the middle", got)
	}
}

// checkFits fails when the window's content asks for more than 900 pixels
// of width or 700 of height.
func checkFits(t *testing.T, w *mainWindow, when string) {
	t.Helper()
	w.win.Content().Refresh()
	t.Logf("%s: min size %v", when, w.win.Content().MinSize())
	if m := w.win.Content().MinSize(); m.Width > minWindowWidth || m.Height > 700 {
		t.Fatalf("%s: the window asks for %.0fx%.0f, more than %dx700", when, m.Width, m.Height, minWindowWidth)
	}
}
