package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"
)

// Meter zones in dBFS, as OBS draws them: green below -20, yellow up to
// -9, red above.
const (
	meterYellowDB = -20.0
	meterRedDB    = -9.0
	// holdUpdates is how many updates a peak is held (1.5 s at 10 Hz)
	// before it falls back by holdDecayDB per update.
	holdUpdates = 15
	holdDecayDB = 1.5
	meterFloor  = -60.0
)

// levelMeter is a horizontal audio level meter with peak hold.
type levelMeter struct {
	widget.BaseWidget
	peakDB float64
	holdDB float64
	held   int
	muted  bool
}

func newLevelMeter() *levelMeter {
	m := &levelMeter{peakDB: meterFloor, holdDB: meterFloor}
	m.ExtendBaseWidget(m)
	return m
}

// SetLevel shows a new peak level (dBFS) and moves the peak hold.
func (m *levelMeter) SetLevel(peakDB float64) {
	if m.muted || peakDB < meterFloor {
		peakDB = meterFloor
	}
	m.peakDB = peakDB
	switch {
	case peakDB >= m.holdDB:
		m.holdDB, m.held = peakDB, 0
	case m.held < holdUpdates:
		m.held++
	default:
		m.holdDB = max(peakDB, m.holdDB-holdDecayDB)
	}
	m.Refresh()
}

// SetMuted greys the meter out and drops it to the floor.
func (m *levelMeter) SetMuted(muted bool) {
	m.muted = muted
	m.SetLevel(meterFloor)
}

// CreateRenderer implements fyne.Widget.
func (m *levelMeter) CreateRenderer() fyne.WidgetRenderer {
	r := &meterRenderer{m: m, bg: canvas.NewRectangle(colorMeterBg),
		hold: canvas.NewRectangle(color.White)}
	for i, c := range []color.Color{colorGood, colorWarning, colorDanger} {
		r.zones[i] = canvas.NewRectangle(c)
	}
	return r
}

type meterRenderer struct {
	m     *levelMeter
	bg    *canvas.Rectangle
	zones [3]*canvas.Rectangle
	hold  *canvas.Rectangle
}

func (r *meterRenderer) Layout(size fyne.Size) {
	r.bg.Resize(size)
	level := float32(meterFraction(r.m.peakDB))
	bounds := []float64{meterFloor, meterYellowDB, meterRedDB, 0}
	for i, z := range r.zones {
		from := float32(meterFraction(bounds[i]))
		to := min(level, float32(meterFraction(bounds[i+1])))
		if to <= from {
			z.Hide()
			continue
		}
		z.Show()
		z.Move(fyne.NewPos(from*size.Width, 0))
		z.Resize(fyne.NewSize((to-from)*size.Width, size.Height))
	}
	hold := float32(meterFraction(r.m.holdDB))
	r.hold.Hidden = hold <= 0
	r.hold.Move(fyne.NewPos(max(0, hold*size.Width-2), 0))
	r.hold.Resize(fyne.NewSize(2, size.Height))
}

func (r *meterRenderer) MinSize() fyne.Size { return fyne.NewSize(120, 10) }

func (r *meterRenderer) Refresh() {
	r.Layout(r.m.Size())
	for _, o := range r.Objects() {
		o.Refresh()
	}
}

func (r *meterRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.bg, r.zones[0], r.zones[1], r.zones[2], r.hold}
}

func (r *meterRenderer) Destroy() {}
