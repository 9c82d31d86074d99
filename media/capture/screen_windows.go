//go:build windows

package capture

import "strconv"

// screenInput describes a gdigrab input (the whole desktop by default).
func screenInput(cfg ScreenConfig) (string, string, map[string]string, error) {
	target := cfg.Display
	if target == "" {
		target = defaultScreenName
	}
	opts := map[string]string{
		"framerate":  strconv.Itoa(cfg.FPS),
		"draw_mouse": boolOption(cfg.Cursor),
	}
	if !cfg.Region.Empty() {
		opts["video_size"] = sizeOption(cfg.Region)
		opts["offset_x"] = strconv.Itoa(cfg.Region.Min.X)
		opts["offset_y"] = strconv.Itoa(cfg.Region.Min.Y)
	}
	return "gdigrab", target, opts, nil
}

const defaultScreenName = "desktop"
