package ui

import (
	"errors"
	"os"
)

// ErrNoDisplay is returned by Run when there is no display to open the
// window on: GLFW would otherwise panic with a stack trace.
var ErrNoDisplay = errors.New(`no display found (DISPLAY/WAYLAND_DISPLAY unset): run "golive live" for the command line`)

// CheckDisplay returns ErrNoDisplay when neither an X11 nor a Wayland
// display is named in the environment.
func CheckDisplay() error {
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return ErrNoDisplay
	}
	return nil
}
