//go:build linux

package capture

/*
#cgo pkg-config: x11 xrandr
#include <stdlib.h>
#include <X11/Xlib.h>
#include <X11/extensions/Xrandr.h>

static int golive_ignore_x_error(Display *d, XErrorEvent *e) { return 0; }

static void golive_set_x_error_handler(void) { XSetErrorHandler(golive_ignore_x_error); }

static int golive_has_randr15(Display *d) {
	int ev, err, major = 0, minor = 0;
	if (!XRRQueryExtension(d, &ev, &err)) return 0;
	if (!XRRQueryVersion(d, &major, &minor)) return 0;
	return major > 1 || (major == 1 && minor >= 5);
}
*/
import "C"

import (
	"fmt"
	"image"
	"os"
	"strings"
	"unsafe"
)

// ListScreens lists the screens of an X display (default $DISPLAY) and,
// through XRandR 1.5, the monitors on each.
func ListScreens(display string) ([]Screen, error) {
	if display == "" {
		display = os.Getenv("DISPLAY")
	}
	if display == "" {
		return nil, fmt.Errorf("list screens: no X display (DISPLAY is not set)")
	}
	cname := C.CString(display)
	defer C.free(unsafe.Pointer(cname))
	C.golive_set_x_error_handler()
	d := C.XOpenDisplay(cname)
	if d == nil {
		return nil, fmt.Errorf("list screens: cannot open X display %q", display)
	}
	defer C.XCloseDisplay(d)
	host := displayHost(display)
	randr := C.golive_has_randr15(d) != 0
	var out []Screen
	for s := 0; s < int(C.XScreenCount(d)); s++ {
		name := fmt.Sprintf("%s.%d", host, s)
		whole := image.Rect(0, 0, int(C.XDisplayWidth(d, C.int(s))), int(C.XDisplayHeight(d, C.int(s))))
		var monitors []Screen
		if randr {
			monitors = listMonitors(d, C.XRootWindow(d, C.int(s)), name)
		}
		if len(monitors) == 0 {
			monitors = []Screen{{Name: "screen " + fmt.Sprint(s), Display: name, Bounds: whole, Primary: s == 0}}
		}
		out = append(out, monitors...)
	}
	return out, nil
}

func listMonitors(d *C.Display, root C.Window, display string) []Screen {
	var n C.int
	mons := C.XRRGetMonitors(d, root, C.True, &n)
	if mons == nil {
		return nil
	}
	defer C.XRRFreeMonitors(mons)
	var out []Screen
	for _, m := range unsafe.Slice(mons, int(n)) {
		name := "monitor"
		if cn := C.XGetAtomName(d, m.name); cn != nil {
			name = C.GoString(cn)
			C.XFree(unsafe.Pointer(cn))
		}
		out = append(out, Screen{
			Name:    name,
			Display: display,
			Bounds:  image.Rect(int(m.x), int(m.y), int(m.x)+int(m.width), int(m.y)+int(m.height)),
			Primary: m.primary != 0,
		})
	}
	return out
}

// displayHost strips the screen number: ":99.0" -> ":99".
func displayHost(display string) string {
	colon := strings.LastIndexByte(display, ':')
	if dot := strings.LastIndexByte(display, '.'); dot > colon && colon >= 0 {
		return display[:dot]
	}
	return display
}
