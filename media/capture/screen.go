package capture

import (
	"fmt"
	"image"
	"os"
	"strconv"
)

// ScreenConfig selects what part of which screen to capture.
type ScreenConfig struct {
	// Display names the screen: an X display such as ":99.0" on Linux
	// (default $DISPLAY), an avfoundation device on macOS, "desktop" on
	// Windows.
	Display string
	// Region is the captured rectangle in screen pixels (zero: all).
	Region image.Rectangle
	// Cursor draws the mouse pointer into the picture.
	Cursor bool
	// FPS is the capture rate (default 30).
	FPS int
	// RestoreToken is the desktop portal's token from an earlier session
	// (Wayland): the same monitor is shared again without asking.
	RestoreToken string
}

// RestoreTokener is implemented by portal screen sources: the token to save
// for the next session.
type RestoreTokener interface {
	RestoreToken() string
}

// NewScreen opens a screen grabber (x11grab on Linux, avfoundation on
// macOS, gdigrab on Windows). The grabber paces itself at cfg.FPS. On a
// Wayland session (see UsesPortal) the desktop portal shares a monitor
// instead and cfg.Region crops its pictures.
func NewScreen(cfg ScreenConfig) (VideoSource, error) {
	if cfg.FPS <= 0 {
		cfg.FPS = 30
	}
	if !cfg.Region.Empty() && (cfg.Region.Min.X < 0 || cfg.Region.Min.Y < 0) {
		return nil, fmt.Errorf("screen capture: region %v starts off screen", cfg.Region)
	}
	if UsesPortal(cfg.Display, os.Getenv) {
		v, err := openPortalScreen(cfg)
		if err != nil {
			return nil, fmt.Errorf("screen capture through the desktop portal: %w", err)
		}
		return v, nil
	}
	if err := checkRegion(cfg.Display, cfg.Region); err != nil {
		return nil, fmt.Errorf("screen capture: %w", err)
	}
	format, url, opts, err := screenInput(cfg)
	if err != nil {
		return nil, fmt.Errorf("screen capture: %w", err)
	}
	v, err := openVideoInput(format, url, opts, false)
	if err != nil {
		return nil, fmt.Errorf("screen capture: %w", err)
	}
	return v, nil
}

func boolOption(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func sizeOption(r image.Rectangle) string {
	return strconv.Itoa(r.Dx()) + "x" + strconv.Itoa(r.Dy())
}
