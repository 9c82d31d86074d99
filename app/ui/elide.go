package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Layout helpers that keep the window within the screen: text that is
// elided in the middle (URLs keep their scheme and their end), and a flow
// of buttons that wraps onto more lines instead of widening the window.

// middleMinChars is how many characters an elided label shows at least.
const middleMinChars = 14

// middleLabel shows one line of text, elided in the middle ("rtmps://live.
// twi…/app/****") when it does not fit. Its minimum width is small, so a
// long URL never widens the window; Full is the whole text.
type middleLabel struct {
	widget.BaseWidget
	Full string
	text *canvas.Text
}

func newMiddleLabel(s string) *middleLabel {
	l := &middleLabel{Full: s, text: canvas.NewText(s, theme.Color(theme.ColorNameForeground))}
	l.ExtendBaseWidget(l)
	return l
}

// SetText changes the whole text.
func (l *middleLabel) SetText(s string) {
	if s == l.Full {
		return
	}
	l.Full = s
	l.Refresh()
}

// Shown returns the text as displayed now (elided or whole).
func (l *middleLabel) Shown() string { return l.text.Text }

func (l *middleLabel) CreateRenderer() fyne.WidgetRenderer {
	return &middleRenderer{l: l}
}

type middleRenderer struct{ l *middleLabel }

func (r *middleRenderer) textSize() float32 { return theme.TextSize() }

func (r *middleRenderer) MinSize() fyne.Size {
	n := min(len([]rune(r.l.Full)), middleMinChars)
	s := fyne.MeasureText(string([]rune(r.l.Full)[:n])+"…", r.textSize(), fyne.TextStyle{})
	p := theme.InnerPadding()
	return fyne.NewSize(s.Width+2*p, s.Height+p)
}

func (r *middleRenderer) Layout(size fyne.Size) {
	p := theme.InnerPadding()
	r.l.text.Text = elideMiddle(r.l.Full, size.Width-2*p, func(s string) float32 {
		return fyne.MeasureText(s, r.textSize(), fyne.TextStyle{}).Width
	})
	r.l.text.TextSize = r.textSize()
	r.l.text.Move(fyne.NewPos(p, p/2))
	r.l.text.Resize(fyne.NewSize(size.Width-2*p, size.Height-p))
	r.l.text.Refresh()
}

func (r *middleRenderer) Refresh() {
	r.l.text.Color = theme.Color(theme.ColorNameForeground)
	r.Layout(r.l.Size())
}

func (r *middleRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.l.text} }
func (r *middleRenderer) Destroy()                     {}

// elideMiddle returns s, or s with its middle replaced by "…", so that
// width(result) <= avail; it keeps more of the end than of the start
// when the end is what tells URLs apart (a stream key, a file name).
func elideMiddle(s string, avail float32, width func(string) float32) string {
	if width(s) <= avail {
		return s
	}
	rs := []rune(s)
	lo, hi := 0, len(rs) // keep lo..hi-1 characters: find the most that fit
	best := "…"
	for lo <= hi {
		keep := (lo + hi) / 2
		head := keep * 2 / 5
		cand := string(rs[:head]) + "…" + string(rs[len(rs)-(keep-head):])
		if width(cand) <= avail {
			best, lo = cand, keep+1
		} else {
			hi = keep - 1
		}
	}
	return best
}

// flowLayout places objects left to right and starts a new line when the
// next one does not fit: its minimum width is its widest object, so a row
// of buttons never widens the window. Its minimum height follows the width
// it was last given (the canvas lays the parent out again when it grows).
type flowLayout struct{ width float32 }

func newFlow(objs ...fyne.CanvasObject) *fyne.Container {
	return container.New(&flowLayout{}, objs...)
}

func (f *flowLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	f.width = size.Width
	f.place(objs, size.Width, true)
}

func (f *flowLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var widest float32
	for _, o := range objs {
		if o.Visible() {
			widest = max(widest, o.MinSize().Width)
		}
	}
	h := f.place(objs, max(f.width, widest), false)
	return fyne.NewSize(widest, h)
}

// place lays objs out on lines of width w (moving them when move) and
// returns the height used.
func (f *flowLayout) place(objs []fyne.CanvasObject, w float32, move bool) float32 {
	pad := theme.Padding()
	var x, y, lineH float32
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		if x > 0 && x+m.Width > w {
			x, y, lineH = 0, y+lineH+pad, 0
		}
		if move {
			o.Move(fyne.NewPos(x, y))
			o.Resize(m)
		}
		x += m.Width + pad
		lineH = max(lineH, m.Height)
	}
	return y + lineH
}
