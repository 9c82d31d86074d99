package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver"
	"github.com/go-gl/glfw/v3.3/glfw"
)

// What the window manager's frame takes around the window (title bar,
// borders), kept free when the window is sized to the screen.
const (
	frameAllowanceW = 16
	frameAllowanceH = 48
)

// screenWorkArea returns the usable size in pixels of the primary
// monitor (its work area: the screen less panels and docks) when win is a
// window of Fyne's desktop driver; ok is false elsewhere (Fyne's test
// driver). Fyne has no API for the screen's size; its desktop driver runs
// on GLFW (initialised once a window exists), whose monitor functions are
// called here on Fyne's main thread.
func screenWorkArea(win fyne.Window) (w, h int, ok bool) {
	if _, native := win.(driver.NativeWindow); !native {
		return 0, 0, false
	}
	defer func() {
		// go-gl's bindings panic on a GLFW error (not initialised).
		if recover() != nil {
			w, h, ok = 0, 0, false
		}
	}()
	m := glfw.GetPrimaryMonitor()
	if m == nil {
		return 0, 0, false
	}
	_, _, w, h = m.GetWorkarea()
	if w <= 0 || h <= 0 {
		if mode := m.GetVideoMode(); mode != nil {
			w, h = mode.Width, mode.Height
		}
	}
	return w, h, w > 0 && h > 0
}

// fitSize is the window size for want on a screen whose usable area in
// the window's units is avail: no larger than avail less the frame, no
// smaller than the content's minimum (whose scroll containers take the
// rest).
func fitSize(want, minimum, avail fyne.Size) fyne.Size {
	room := fyne.NewSize(avail.Width-frameAllowanceW, avail.Height-frameAllowanceH)
	return want.Min(room).Max(minimum)
}

// fitToScreen shrinks the window to the screen when it does not fit (a
// 1024x600 netbook, 720 lines less a panel) and centres it again. It runs
// before the window is shown (at the canvas's scale then) and once shown
// (at the scale the window got).
func (w *mainWindow) fitToScreen() {
	pw, ph, ok := screenWorkArea(w.win)
	if !ok {
		return
	}
	scale := w.win.Canvas().Scale()
	if scale <= 0 {
		scale = 1
	}
	avail := fyne.NewSize(float32(pw)/scale, float32(ph)/scale)
	cur := w.win.Canvas().Size()
	size := fitSize(cur, w.win.Content().MinSize(), avail)
	if size.Width < cur.Width || size.Height < cur.Height {
		w.log.Info("window sized to the screen", "screen_px", [2]int{pw, ph}, "scale", scale,
			"size", [2]float32{size.Width, size.Height})
		w.win.Resize(size)
		w.win.CenterOnScreen()
	}
}
