package capture

import (
	"fmt"
	"image"
)

// Screen is one capturable screen or monitor.
type Screen struct {
	// Name is a human label ("DP-1", "screen 0").
	Name string
	// Display is what ScreenConfig.Display takes (":0.0" on X11).
	Display string
	// Bounds is the monitor's rectangle on that display; capture it as
	// ScreenConfig.Region (the whole display when it is the only monitor).
	Bounds  image.Rectangle
	Primary bool
}

func (s Screen) String() string {
	return fmt.Sprintf("%s (%s %dx%d+%d+%d)", s.Name, s.Display, s.Bounds.Dx(), s.Bounds.Dy(), s.Bounds.Min.X, s.Bounds.Min.Y)
}
