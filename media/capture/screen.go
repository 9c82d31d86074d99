package capture

import (
	"fmt"
	"image"
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
}

// NewScreen opens a screen grabber (x11grab on Linux, avfoundation on
// macOS, gdigrab on Windows). The grabber paces itself at cfg.FPS.
func NewScreen(cfg ScreenConfig) (VideoSource, error) {
	if cfg.FPS <= 0 {
		cfg.FPS = 30
	}
	if !cfg.Region.Empty() && (cfg.Region.Min.X < 0 || cfg.Region.Min.Y < 0) {
		return nil, fmt.Errorf("screen capture: region %v starts off screen", cfg.Region)
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
