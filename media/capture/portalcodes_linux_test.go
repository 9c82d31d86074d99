package capture

import (
	"errors"
	"strings"
	"testing"
)

// TestPortalResponseCodes: the portal's Response codes (0 success, 1 the
// user cancelled, 2 ended otherwise, anything else) each map to their own
// error and a message that says what to do.
func TestPortalResponseCodes(t *testing.T) {
	if err := responseError(0); err != nil {
		t.Fatalf("code 0: %v", err)
	}
	err := responseError(1)
	if !errors.Is(err, ErrPortalCancelled) || errors.Is(err, ErrPortalRefused) ||
		!strings.Contains(err.Error(), "choose a screen and press Share") {
		t.Fatalf("code 1 (cancelled): %v", err)
	}
	for _, code := range []uint32{2, 3, 77} {
		err := responseError(code)
		if !errors.Is(err, ErrPortalRefused) || errors.Is(err, ErrPortalCancelled) ||
			!strings.Contains(err.Error(), "portal backend") {
			t.Fatalf("code %d (refused): %v", code, err)
		}
	}
}
