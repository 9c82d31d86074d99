package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"golive/app/profile"
)

// limitsEngine is the fake engine with the real Go Live check (the
// services' published limits), as sessionEngine has it.
type limitsEngine struct{ *fakeEngine }

func (e limitsEngine) Check(p profile.Profile) []string { return (&sessionEngine{}).Check(p) }

// TestLimitsWhereYouType (issue 17, "limits where you type"): the
// destination dialog shows Twitch's limits as soon as Twitch is chosen and
// the current encoder settings that exceed them, once each; the saved row
// says so before Go Live, naming Twitch once ("Twitch: Twitch: …" was
// the complaint); lowering the bitrate in the Encoder panel clears
// the row's warning at once, and raising it brings it back.
func TestLimitsWhereYouType(t *testing.T) {
	_, store := newTestStore(t)
	w := newTestWindow(t, store, limitsEngine{&fakeEngine{}})
	w.encoder.vrate.SetText("9000")
	test.Tap(w.dests.add)
	dd := w.lastDestDialog
	if dd == nil {
		t.Fatal("Add destination opened no dialog")
	}
	if dd.limits.Visible() {
		t.Fatalf("limits shown for a custom server: %q", dd.limits.Text)
	}
	dd.service.SetSelected("Twitch")
	const over = "video bitrate 9000 kbps is above the maximum of 6000 kbps"
	if !dd.limits.Visible() || !strings.Contains(dd.limits.Text, "Twitch accepts up to 6000 kb/s video") ||
		strings.Count(dd.limits.Text, over) != 1 || !strings.Contains(dd.limits.Text, "Lower them in the Encoder panel") ||
		strings.Contains(dd.limits.Text, "Twitch: ") {
		t.Fatalf("dialog limits with Twitch at 9000 kb/s (visible %v): %q", dd.limits.Visible(), dd.limits.Text)
	}
	t.Logf("dialog: %s", dd.limits.Text)
	test.Type(dd.key, "live_0123456789abcdef")
	test.Tap(dd.save)
	row := w.dests.row("Twitch")
	if row == nil {
		t.Fatal("no row for the new Twitch destination")
	}
	if !row.note.Visible() || !strings.Contains(row.note.Text, "Above Twitch's limits") || strings.Count(row.note.Text, over) != 1 ||
		strings.Count(row.note.Text, "Twitch") != 1 {
		t.Fatalf("Twitch row at 9000 kb/s: note %q (visible %v)", row.note.Text, row.note.Visible())
	}
	t.Logf("row: %s", row.note.Text)
	w.encoder.vrate.SetText("6000")
	if row = w.dests.row("Twitch"); row.note.Visible() && strings.Contains(row.note.Text, "limits") {
		t.Fatalf("Twitch row at 6000 kb/s still warns: %q", row.note.Text)
	}
	w.encoder.vrate.SetText("7000")
	if row = w.dests.row("Twitch"); !strings.Contains(row.note.Text, "7000 kbps is above the maximum of 6000 kbps") {
		t.Fatalf("Twitch row at 7000 kb/s: note %q", row.note.Text)
	}
	test.Tap(row.edit)
	dd = w.lastDestDialog
	if !strings.Contains(dd.limits.Text, "7000 kbps is above the maximum of 6000 kbps") {
		t.Fatalf("edit dialog limits at 7000 kb/s: %q", dd.limits.Text)
	}
}
