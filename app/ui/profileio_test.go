package ui

import (
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"golive/app/profile"
)

// TestImportClashOffersRenameOrReplace: importing a profile whose name
// exists asks, and both answers work; an export without keys says so, and
// its RTMP destinations show "needs key" once imported.
func TestImportClashOffersRenameOrReplace(t *testing.T) {
	raw, store := newTestStore(t)
	w := newTestWindow(t, store, &fakeEngine{})
	if err := w.dests.put(-1, rtmpDest("Twitch", "app", true)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "export.json")
	if err := store.Export(w.prof.Name, path, false); err != nil {
		t.Fatal(err)
	}
	if msg := exportMessage(w.prof.Name, path, false); !strings.Contains(msg, path) || !strings.Contains(msg, "keys were left out") {
		t.Fatalf("export message %q", msg)
	}
	before := len(raw.Names())

	w.profiles.importFile(path)
	if msg := overlayText(topOverlay(t, w)); !strings.Contains(msg, "already exists") {
		t.Fatalf("import clash says %q", msg)
	}
	test.Tap(findButton(t, topOverlay(t, w), labelImportRename))
	pressKey(w, fyne.KeyReturn) // the suggested name
	want := profile.DefaultProfileName + " (2)"
	if w.prof.Name != want || len(raw.Names()) != before+1 {
		t.Fatalf("Rename imported %q (profiles %v), want %q", w.prof.Name, raw.Names(), want)
	}
	row := w.dests.row("Twitch")
	if row.state.Text != "needs key" || !strings.Contains(row.note.Text, "Needs its stream key") {
		t.Fatalf("imported destination without its key: badge %q, note %q", row.state.Text, row.note.Text)
	}

	w.profiles.importFile(path)
	test.Tap(findButton(t, topOverlay(t, w), labelImportReplace))
	if len(raw.Names()) != before+1 || w.prof.Name != profile.DefaultProfileName {
		t.Fatalf("Replace: profiles %v, current %q", raw.Names(), w.prof.Name)
	}
	if w.win.Canvas().Overlays().Top() != nil {
		t.Fatal("a dialog stays open after Replace")
	}
}
