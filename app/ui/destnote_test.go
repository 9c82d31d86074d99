package ui

import (
	"testing"

	"golive/outputs/dest"
)

// TestRowShowsLiveNote: while live, a destination's row shows what the
// session notes about it (here its move to a fallback rendition), and
// hides it once the note is gone.
func TestRowShowsLiveNote(t *testing.T) {
	w, eng, _ := liveWindow(t)
	note := "fallback: 854x480@30 0.6 Mb/s (path could not carry 720p30 2.5 Mb/s; it carried 1.2 Mb/s); back after 30s calm"
	eng.live.setStats(Stats{ElapsedS: 1, Outputs: []dest.Status{
		{Name: "A", State: dest.StateLive, Note: note, Encoder: "r1"}, {Name: "B", State: dest.StateLive}}})
	w.tick()
	if a := w.dests.row("A"); !a.note.Visible() || a.note.Text != note {
		t.Fatalf("row A note %q (visible %v), want the fallback note", a.note.Text, a.note.Visible())
	}
	if b := w.dests.row("B"); b.note.Visible() {
		t.Fatalf("row B shows a note %q", b.note.Text)
	}
	eng.live.setStats(Stats{ElapsedS: 2, Outputs: []dest.Status{
		{Name: "A", State: dest.StateLive, Encoder: "main"}, {Name: "B", State: dest.StateLive}}})
	w.tick()
	if a := w.dests.row("A"); a.note.Visible() {
		t.Fatalf("row A still shows %q back on its own rendition", a.note.Text)
	}
}
