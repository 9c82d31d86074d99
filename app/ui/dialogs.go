package ui

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// Every dialog of the window goes through showModal: Enter confirms (its
// default answer), Esc cancels, whichever field has the focus, and a
// shortcut never opens a second dialog over one already open.

// modal is one open dialog and what Enter and Esc do in it.
type modal struct {
	d       dialog.Dialog
	confirm func()
	cancel  func()
}

// showModal shows d at size (zero: its own), with confirm run by Enter
// (nil: Enter does nothing) and cancel by Esc (nil: d.Dismiss).
func (w *mainWindow) showModal(d dialog.Dialog, size fyne.Size, confirm, cancel func()) {
	if cancel == nil {
		cancel = d.Dismiss
	}
	m := &modal{d: d, confirm: confirm, cancel: cancel}
	w.modals = append(w.modals, m)
	d.SetOnClosed(func() {
		w.modals = slices.DeleteFunc(w.modals, func(o *modal) bool { return o == m })
	})
	if !size.IsZero() {
		d.Resize(size)
	}
	d.Show()
}

// showDialog shows an information-like dialog: Enter and Esc close it.
func (w *mainWindow) showDialog(d dialog.Dialog, size fyne.Size) {
	w.showModal(d, size, d.Dismiss, d.Dismiss)
}

// showConfirm shows a confirmation whose default answer (Enter) is the
// safe one: defaultYes says whether that is the confirm button.
func (w *mainWindow) showConfirm(d *dialog.ConfirmDialog, defaultYes bool) {
	if defaultYes {
		w.showModal(d, fyne.Size{}, d.Confirm, d.Dismiss)
		return
	}
	w.showModal(d, fyne.Size{}, d.Dismiss, d.Dismiss)
}

// modalOpen reports whether a dialog is open.
func (w *mainWindow) modalOpen() bool { return len(w.modals) > 0 }

// onTypedKey handles keys no focused widget took.
func (w *mainWindow) onTypedKey(ev *fyne.KeyEvent) {
	if len(w.modals) == 0 {
		return
	}
	top := w.modals[len(w.modals)-1]
	switch ev.Name {
	case fyne.KeyEscape:
		top.cancel()
	case fyne.KeyReturn, fyne.KeyEnter:
		if top.confirm != nil {
			top.confirm()
		}
	}
}

// keyEntry is an entry that passes Esc to the window (to cancel its
// dialog) and Enter to onEnter, as a focused field otherwise swallows
// both.
type keyEntry struct {
	widget.Entry
	w *mainWindow
}

func newKeyEntry(w *mainWindow, password bool) *keyEntry {
	e := &keyEntry{w: w}
	e.Password = password
	e.Wrapping = fyne.TextWrapOff
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey sends Esc and Enter to the open dialog.
func (e *keyEntry) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyEscape, fyne.KeyReturn, fyne.KeyEnter:
		if e.w.modalOpen() && !e.MultiLine {
			e.w.onTypedKey(ev)
			return
		}
	}
	e.Entry.TypedKey(ev)
}
