package ui

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"
)

// Meter zones in dBFS, as OBS draws them: green below -20, yellow up to
// -9, red above.
const (
	meterYellowDB = -20.0
	meterRedDB    = -9.0
	// holdTime is how long a peak is held before it falls back by
	// holdDecayDBps per second, whatever the update rate.
	holdTime      = 1500 * time.Millisecond
	holdDecayDBps = 15.0
	meterFloor    = -60.0
)

// levelMeter is a horizontal audio level meter with peak hold.
type levelMeter struct {
	widget.BaseWidget
	peakDB float64
	holdDB float64
	heldAt time.Time // when holdDB was reached
	last   time.Time // the previous update
	muted  bool
	// now is the clock (replaced in tests).
	now func() time.Time
}

func newLevelMeter() *levelMeter {
	m := &levelMeter{peakDB: meterFloor, holdDB: meterFloor, now: time.Now}
	m.ExtendBaseWidget(m)
	return m
}

// SetLevel shows a new peak level (dBFS) and moves the peak hold; the
// meter is redrawn only when one of them moved.
func (m *levelMeter) SetLevel(peakDB float64) {
	if m.muted || peakDB < meterFloor {
		peakDB = meterFloor
	}
	now := m.now()
	oldPeak, oldHold := m.peakDB, m.holdDB
	m.peakDB = peakDB
	if peakDB >= m.holdDB {
		m.holdDB, m.heldAt = peakDB, now
	} else if end := m.heldAt.Add(holdTime); now.After(end) {
		from := m.last
		if from.Before(end) {
			from = end
		}
		m.holdDB = max(peakDB, m.holdDB-holdDecayDBps*now.Sub(from).Seconds())
	}
	m.last = now
	if m.peakDB != oldPeak || m.holdDB != oldHold {
		m.Refresh()
	}
}

// SetMuted drops the meter to the floor and keeps it there while muted.
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
