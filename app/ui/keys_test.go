package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func overlays(w *mainWindow) int { return len(w.win.Canvas().Overlays().List()) }

// TestKeyboardInDialogs: Esc cancels and Enter confirms every dialog,
// even with the focus in a text field, and Ctrl+Enter never opens a
// second dialog over the first.
func TestKeyboardInDialogs(t *testing.T) {
	raw, store := newTestStore(t)
	w := newTestWindow(t, store, &fakeEngine{})
	test.Tap(w.dests.add)
	dd := w.lastDestDialog
	w.win.Canvas().Focus(dd.name)
	pressKey(w, fyne.KeyEscape)
	if overlays(w) != 0 {
		t.Fatal("Esc in the destination dialog's name field did not cancel it")
	}
	test.Tap(w.dests.add)
	dd = w.lastDestDialog
	test.Type(dd.name, "Keyboard")
	test.Type(dd.server, "rtmp://127.0.0.1:1935/live")
	test.Type(dd.key, "key_kb")
	w.win.Canvas().Focus(dd.key)
	pressKey(w, fyne.KeyReturn)
	if overlays(w) != 0 {
		t.Fatal("Enter in the key field did not save the destination")
	}
	if got, _ := raw.Get(w.prof.Name); len(got.Destinations) != 2 {
		t.Fatalf("Enter saved %d destinations", len(got.Destinations))
	}

	w.toggleLive() // Ctrl+Enter: live
	w.bg.Wait()
	w.toggleLive() // Ctrl+Enter: asks to end
	w.toggleLive() // again: no second dialog
	if overlays(w) != 1 {
		t.Fatalf("two Ctrl+Enter opened %d dialogs", overlays(w))
	}
	pressKey(w, fyne.KeyEscape)
	if overlays(w) != 0 || w.phase != phaseLive {
		t.Fatalf("Esc on End Stream: %d dialogs, phase %v", overlays(w), w.phase)
	}
	w.toggleLive()
	pressKey(w, fyne.KeyReturn)
	w.bg.Wait()
	if w.phase != phaseIdle {
		t.Fatal("Enter on End Stream did not end the stream")
	}

	test.Tap(w.dests.row("Keyboard").remove)
	pressKey(w, fyne.KeyEscape)
	if got, _ := raw.Get(w.prof.Name); len(got.Destinations) != 2 || overlays(w) != 0 {
		t.Fatal("Esc on Remove removed the destination or left the dialog open")
	}
	w.showError("Something", errTest("went wrong"))
	pressKey(w, fyne.KeyReturn)
	if overlays(w) != 0 {
		t.Fatal("Enter did not close an error message")
	}
}

type errTest string

func (e errTest) Error() string { return string(e) }
