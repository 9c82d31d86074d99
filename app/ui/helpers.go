package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"

	"golive/app/secret"
)

// setEnabled enables or disables a control, refreshing only on change.
func setEnabled(d fyne.Disableable, on bool) {
	if on == !d.Disabled() {
		return
	}
	if on {
		d.Enable()
	} else {
		d.Disable()
	}
}

// showError shows err in a dialog titled title, with any URL redacted.
func (w *mainWindow) showError(title string, err error) {
	msg := secret.RedactURLsInText(err.Error())
	w.log.Warn(title, "err", msg)
	w.showInfo(title, msg)
}

// showInfo shows a message in a dialog that Enter or Esc closes.
func (w *mainWindow) showInfo(title, msg string) {
	w.showDialog(dialog.NewInformation(title, msg, w.win), fyne.Size{})
}
