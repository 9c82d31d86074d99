package capture

import (
	"errors"
	"strings"
)

// Desktop session kinds DetectSession reports.
const (
	SessionWayland = "wayland"
	SessionX11     = "x11"
)

// PortalDisplay is the ScreenConfig.Display value that asks for the
// desktop portal (xdg-desktop-portal ScreenCast + PipeWire) explicitly.
const PortalDisplay = "portal"

// Errors of portal screen capture, each with its own message for people.
var (
	// ErrPortalCancelled: the user closed the portal's screen picker.
	ErrPortalCancelled = errors.New("screen sharing was cancelled in the desktop's dialog")
	// ErrPortalRefused: the portal ended the request (response code 2).
	ErrPortalRefused = errors.New("the desktop portal refused to share the screen")
	// ErrPortalMissing: no xdg-desktop-portal with ScreenCast on the bus.
	ErrPortalMissing = errors.New("no desktop portal for screen capture")
	// ErrPipeWireMissing: libpipewire or the PipeWire service is missing.
	ErrPipeWireMissing = errors.New("PipeWire is not available")
	// ErrSessionEnded: the screen-cast session stopped while streaming.
	ErrSessionEnded = errors.New("the desktop ended the screen sharing session")
)

// DetectSession tells from the environment whether the desktop is a
// Wayland or an X11 session ("" when neither is known): XDG_SESSION_TYPE
// first, then WAYLAND_DISPLAY, then DISPLAY.
func DetectSession(getenv func(string) string) string {
	switch strings.ToLower(getenv("XDG_SESSION_TYPE")) {
	case SessionWayland:
		return SessionWayland
	case SessionX11:
		return SessionX11
	}
	if getenv("WAYLAND_DISPLAY") != "" {
		return SessionWayland
	}
	if getenv("DISPLAY") != "" {
		return SessionX11
	}
	return ""
}

// UsesPortal tells whether a screen capture of display goes through the
// desktop portal: when asked for by name, or on a Wayland session when no
// X display is named (x11grab would see only XWayland windows there).
func UsesPortal(display string, getenv func(string) string) bool {
	if display == PortalDisplay {
		return true
	}
	return display == "" && DetectSession(getenv) == SessionWayland
}
