package ui

import (
	"encoding/json"
	"os"

	"fyne.io/fyne/v2"
)

// EnvLayoutReport names a file the window rewrites once a second with
// where Go Live, the destination list and its rows' controls are (tests
// of the real window under Xvfb check that they lie inside the window and
// the screen, then click them).
const EnvLayoutReport = "GOLIVE_UI_LAYOUT_REPORT"

// layoutRect is a control's place in the window's canvas.
type layoutRect struct {
	X, Y, W, H float32
	Visible    bool
}

type layoutRow struct {
	Name       string
	State      string
	Reconnects uint64
	Row        layoutRect
	Retry      layoutRect
}

type layoutReport struct {
	CanvasW, CanvasH float32
	Scale            float32
	// GoLive is the Go Live button, List the destination list's
	// scrolled area.
	GoLive, List layoutRect
	Rows         []layoutRow
}

func rectOf(o fyne.CanvasObject) layoutRect {
	p := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
	s := o.Size()
	return layoutRect{X: p.X, Y: p.Y, W: s.Width, H: s.Height, Visible: o.Visible()}
}

// writeLayoutReport writes the report when the environment asks for one.
func (w *mainWindow) writeLayoutReport() {
	path := w.opts.LayoutReport
	if path == "" {
		return
	}
	c := w.win.Canvas()
	r := layoutReport{CanvasW: c.Size().Width, CanvasH: c.Size().Height, Scale: c.Scale(),
		GoLive: rectOf(w.action.button), List: rectOf(w.dests.scroll)}
	for _, row := range w.dests.rows {
		r.Rows = append(r.Rows, layoutRow{Name: row.d.Name, State: string(row.status.State),
			Reconnects: row.status.Reconnects, Row: rectOf(row.object), Retry: rectOf(row.retry)})
	}
	b, err := json.Marshal(r)
	if err != nil {
		return
	}
	tmp := path + ".tmp"
	if os.WriteFile(tmp, b, 0o600) == nil {
		_ = os.Rename(tmp, path)
	}
}
