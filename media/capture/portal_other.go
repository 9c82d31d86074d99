//go:build !linux

package capture

import "errors"

func openPortalScreen(ScreenConfig) (VideoSource, error) {
	return nil, errors.New("the desktop portal (xdg-desktop-portal) is only used on Linux")
}

// PortalInfo describes the desktop portal's screen capture; on this system
// there is none.
func PortalInfo() (string, error) {
	return "", ErrPortalMissing
}
