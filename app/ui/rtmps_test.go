package ui

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"golive/app/profile"
	"golive/outputs/dest"
	"golive/outputs/rtmp"
)

// TestRTMPSInTheDialog: the RTMPS type shows a CA file and a pin field,
// a malformed pin keeps Save disabled with the reason, and both are saved.
func TestRTMPSInTheDialog(t *testing.T) {
	raw, store := newTestStore(t)
	w := newTestWindow(t, store, &fakeEngine{})
	test.Tap(w.dests.add)
	dd := w.lastDestDialog
	dd.kind.SetSelected(typeRTMPS)
	if !dd.tlsBox.Visible() {
		t.Fatal("RTMPS without CA file / pin fields")
	}
	dd.service.SetSelected("Custom")
	test.Type(dd.name, "Private")
	test.Type(dd.server, "rtmps://127.0.0.1:4443/live")
	test.Type(dd.key, "key_private")
	test.Type(dd.pin, "12:34")
	if !dd.save.Disabled() || !strings.Contains(dd.msg.Text, "64 hex digits") {
		t.Fatalf("bad pin: save disabled %v, message %q", dd.save.Disabled(), dd.msg.Text)
	}
	pin := strings.Repeat("AB:", 31) + "AB"
	dd.pin.SetText(pin)
	dd.caFile.SetText("")
	if dd.save.Disabled() {
		t.Fatalf("valid pin refused: %q", dd.msg.Text)
	}
	test.Tap(dd.save)
	got, _ := raw.Get(w.prof.Name)
	if d, ok := got.Destination("Private"); !ok || d.RTMP.PinSHA256 != pin {
		t.Fatalf("saved %+v", d.RTMP)
	}
	test.Tap(w.dests.add)
	dd = w.lastDestDialog
	dd.kind.SetSelected(typeRTMP)
	if dd.tlsBox.Visible() {
		t.Fatal("plain RTMP shows the TLS fields")
	}
}

// TestTrustThisCertificate: a refused certificate offers to trust it;
// the dialog shows the server's subject and SHA-256 fingerprint, and
// trusting pins exactly that certificate to the destination (restarting
// it while live).
func TestTrustThisCertificate(t *testing.T) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	cert := srv.Certificate()
	_, store := newTestStore(t)
	raw, _ := store.(profileStore)
	eng := &fakeEngine{}
	w := newTestWindow(t, store, eng)
	d := profile.Destination{Name: "Self-signed", Kind: profile.KindRTMP, Enabled: true, RTMP: &profile.RTMP{
		Service: "custom", URL: "rtmps://" + srv.Listener.Addr().String() + "/live", Key: "key_tls"}}
	if err := w.dests.put(-1, d); err != nil {
		t.Fatal(err)
	}
	test.Tap(w.action.button)
	w.bg.Wait()
	eng.live.setStats(Stats{Outputs: []dest.Status{{Name: "Self-signed", State: dest.StateFailed, RetryInS: 300,
		LastError: "rtmps 127.0.0.1: server certificate rejected: tls: failed to verify certificate: x509: certificate signed by unknown authority"}}})
	w.tick()
	row := w.dests.row("Self-signed")
	if !row.trust.Visible() || !strings.Contains(row.errMsg.Text, "not trusted") {
		t.Fatalf("refused certificate: trust visible %v, message %q", row.trust.Visible(), row.errMsg.Text)
	}
	test.Tap(row.trust)
	w.bg.Wait()
	msg := overlayText(topOverlay(t, w))
	fp := rtmp.Fingerprint(cert.Raw)
	if !strings.Contains(msg, fp) || !strings.Contains(msg, cert.Subject.String()) {
		t.Fatalf("trust dialog says %q, want fingerprint %s and subject %s", msg, fp, cert.Subject)
	}
	test.Tap(findButton(t, topOverlay(t, w), labelTrust+" for this destination"))
	w.bg.Wait()
	got, _ := raw.s.Get(w.prof.Name)
	if d, _ := got.Destination("Self-signed"); d.RTMP.PinSHA256 != fp {
		t.Fatalf("pinned %q, want %q", d.RTMP.PinSHA256, fp)
	}
	if calls := eng.live.callLog(); len(calls) != 1 || calls[0] != "update Self-signed" {
		t.Fatalf("live calls %v: trusting must restart the destination", calls)
	}
}
