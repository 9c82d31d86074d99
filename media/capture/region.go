package capture

import (
	"fmt"
	"image"
)

// regionWithin returns a message naming the region (X,Y,W,H as --region
// takes it) and the screen size when region does not lie within the w x h
// screen of display.
func regionWithin(display string, region image.Rectangle, w, h int) error {
	if region.In(image.Rect(0, 0, w, h)) {
		return nil
	}
	return fmt.Errorf("region %d,%d,%d,%d is outside the %dx%d screen of display %q: choose one within 0,0,%d,%d",
		region.Min.X, region.Min.Y, region.Dx(), region.Dy(), w, h, display, w, h)
}
