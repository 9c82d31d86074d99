package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// keyStorer is a Store that says where stream keys are kept: "the OS
// keychain", or "the profiles file PATH (why there is no keychain)".
type keyStorer interface{ KeyStore() string }

// keyStoreText is the settings line saying where stream keys are kept
// (the same words as `golive profile list`), "" when the store does not
// say. While a locked keychain is waited for, the window is not open yet:
// a note of its own says so (openBackend).
func keyStoreText(store Store) string {
	ks, ok := store.(keyStorer)
	if !ok {
		return ""
	}
	return "Stream keys are kept in " + ks.KeyStore() + "."
}

// newKeyStoreLine is the settings area's line about where stream keys
// are kept; hidden when the store does not say.
func newKeyStoreLine(store Store) *widget.Label {
	l := widget.NewLabel(keyStoreText(store))
	l.Wrapping = fyne.TextWrapWord
	if l.Text == "" {
		l.Hide()
	}
	return l
}
