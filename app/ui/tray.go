package ui

import (
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// setupTray adds a system-tray menu where the desktop has one (a D-Bus
// session on Linux): show the window, go live or end.
func (w *mainWindow) setupTray() {
	desk, ok := w.app.(desktop.App)
	if !ok || !hasTray() {
		return
	}
	w.trayItem = fyne.NewMenuItem(labelGoLive, w.toggleLive)
	w.trayMenu = fyne.NewMenu("GoLive",
		fyne.NewMenuItem("Show GoLive", func() { w.win.Show(); w.win.RequestFocus() }),
		w.trayItem)
	desk.SetSystemTrayMenu(w.trayMenu)
	desk.SetSystemTrayIcon(resourceIconPng)
}

// hasTray reports whether a tray host may exist (a D-Bus session bus).
func hasTray() bool {
	return os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" || os.Getenv("XDG_CURRENT_DESKTOP") != ""
}

// updateTray mirrors the action button in the tray menu.
func (w *mainWindow) updateTray() {
	if w.trayItem == nil {
		return
	}
	label := labelGoLive
	if w.phase == phaseLive {
		label = labelEnd + " (" + formatElapsed(w.last.ElapsedS) + ")"
	}
	if w.trayItem.Label == label && w.trayItem.Disabled == (w.phase == phaseStarting || w.phase == phaseEnding) {
		return
	}
	w.trayItem.Label = label
	w.trayItem.Disabled = w.phase == phaseStarting || w.phase == phaseEnding
	w.trayMenu.Refresh()
}
