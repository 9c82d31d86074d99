//go:build darwin || windows

package capture

import "image"

// ListScreens returns the default screen: enumerating monitors is only
// implemented for X11. Its bounds are unknown (zero: capture everything).
func ListScreens(display string) ([]Screen, error) {
	if display == "" {
		display = defaultScreenName
	}
	return []Screen{{Name: "main screen", Display: display, Bounds: image.Rectangle{}, Primary: true}}, nil
}
