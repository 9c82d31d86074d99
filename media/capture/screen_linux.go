//go:build linux

package capture

import (
	"errors"
	"os"
	"strconv"
)

// screenInput describes an x11grab input. Region offsets are options, so
// the display string stays as the user wrote it.
func screenInput(cfg ScreenConfig) (string, string, map[string]string, error) {
	display := cfg.Display
	if display == "" {
		display = os.Getenv("DISPLAY")
	}
	if display == "" {
		return "", "", nil, errors.New("no X display: set DISPLAY or choose a display")
	}
	opts := map[string]string{
		"framerate":  strconv.Itoa(cfg.FPS),
		"draw_mouse": boolOption(cfg.Cursor),
	}
	if !cfg.Region.Empty() {
		opts["video_size"] = sizeOption(cfg.Region)
		opts["grab_x"] = strconv.Itoa(cfg.Region.Min.X)
		opts["grab_y"] = strconv.Itoa(cfg.Region.Min.Y)
	}
	return "x11grab", display, opts, nil
}
