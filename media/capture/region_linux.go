//go:build linux

package capture

/*
#cgo pkg-config: x11
#include <stdlib.h>
#include <X11/Xlib.h>

// golive_screen_size stores the size of the default screen of display
// name (its ".N" suffix picks the screen); 0 when it cannot be opened.
static int golive_screen_size(const char *name, int *w, int *h) {
	Display *d = XOpenDisplay(name);
	if (!d) return 0;
	int s = DefaultScreen(d);
	*w = DisplayWidth(d, s);
	*h = DisplayHeight(d, s);
	XCloseDisplay(d);
	return 1;
}
*/
import "C"

import (
	"image"
	"os"
	"unsafe"
)

// checkRegion tells, before x11grab opens, whether region lies within the
// screen of display (x11grab only says "Invalid argument"). It passes
// when the display cannot be opened: x11grab reports that itself.
func checkRegion(display string, region image.Rectangle) error {
	if region.Empty() {
		return nil
	}
	if display == "" {
		display = os.Getenv("DISPLAY")
	}
	cname := C.CString(display)
	defer C.free(unsafe.Pointer(cname))
	var w, h C.int
	if C.golive_screen_size(cname, &w, &h) == 0 {
		return nil
	}
	return regionWithin(display, region, int(w), int(h))
}
