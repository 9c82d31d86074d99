package ui

import (
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"golive/app/profile"
)

// TestSettingsSayWhereKeysAreKept: the settings area (the left column,
// under the encoder) has a visible line saying where stream keys are kept,
// in the words of `golive profile list`: the keychain, or the profiles
// file and why there is no keychain.
func TestSettingsSayWhereKeysAreKept(t *testing.T) {
	_, withKeychain := newTestStore(t)
	dir := t.TempDir()
	plain := &profile.Store{Dir: dir, Keyring: profile.NoKeyring{Reason: "no keychain service found (no D-Bus session bus)"}}
	if err := plain.Open(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		store Store
		want  string
	}{
		{"keychain", withKeychain, "Stream keys are kept in the keychain."},
		{"plain file", profileStore{plain}, "Stream keys are kept in the profiles file " + filepath.Join(dir, "profiles.json") +
			" (no keychain service found (no D-Bus session bus))."},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newTestWindow(t, c.store, &fakeEngine{})
			if w.keyStore.Text != c.want || !w.keyStore.Visible() {
				t.Fatalf("settings line %q (visible %v), want %q", w.keyStore.Text, w.keyStore.Visible(), c.want)
			}
			if !laidOutIn(w.win.Content(), w.keyStore) {
				t.Fatal("the line is not in the window")
			}
			if !sameColumn(w, w.keyStore) {
				t.Fatal("the line is not in the settings column, under the encoder")
			}
			if !strings.Contains(allTexts(w.win.Content()), c.want) {
				t.Fatal("the line's text is not laid out in the window")
			}
		})
	}
}

// TestSettingsKeyStoreHiddenWithoutStore: a store that does not say
// where keys are kept leaves no empty line.
func TestSettingsKeyStoreHiddenWithoutStore(t *testing.T) {
	if l := newKeyStoreLine(nil); l.Visible() || l.Text != "" {
		t.Fatalf("line %q visible %v for a store that does not say", l.Text, l.Visible())
	}
}

// laidOutIn reports whether o is among the objects laid out under root.
func laidOutIn(root, o fyne.CanvasObject) bool {
	for _, x := range test.LaidOutObjects(root) {
		if x == o {
			return true
		}
	}
	return false
}

// sameColumn reports whether l sits in the window's left (settings)
// column: the same scrolled box as the encoder panel, below it.
func sameColumn(w *mainWindow, l *widget.Label) bool {
	enc := fyne.CurrentApp().Driver().AbsolutePositionForObject(w.encoder.object)
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(l)
	return pos.X == enc.X && pos.Y > enc.Y
}
