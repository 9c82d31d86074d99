//go:build darwin

package capture

import (
	"errors"
	"strconv"
)

// screenInput describes an avfoundation screen input ("Capture screen 0"
// by default; video only).
func screenInput(cfg ScreenConfig) (string, string, map[string]string, error) {
	if !cfg.Region.Empty() {
		return "", "", nil, errors.New("capturing a region is not supported with avfoundation yet")
	}
	device := cfg.Display
	if device == "" {
		device = defaultScreenName
	}
	opts := map[string]string{
		"framerate":      strconv.Itoa(cfg.FPS),
		"capture_cursor": boolOption(cfg.Cursor),
		"pixel_format":   "bgr0",
	}
	return "avfoundation", device + ":none", opts, nil
}

const defaultScreenName = "Capture screen 0"
