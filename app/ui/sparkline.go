package ui

import (
	"image"
	"image/color"
	"image/draw"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"
)

// sparkSamples is how many samples a sparkline keeps: 60 s at one poll
// per second.
const sparkSamples = 60

// sparkline draws the last minute of a destination's bitrate as bars.
type sparkline struct {
	widget.BaseWidget
	values []float64
	raster *canvas.Raster
}

func newSparkline() *sparkline {
	s := &sparkline{}
	s.raster = canvas.NewRaster(s.draw)
	s.ExtendBaseWidget(s)
	return s
}

// Add appends a sample, dropping the oldest past 60.
func (s *sparkline) Add(v float64) {
	s.values = append(s.values, max(0, v))
	if len(s.values) > sparkSamples {
		s.values = s.values[len(s.values)-sparkSamples:]
	}
	s.Refresh()
}

// Reset clears the history (a new stream).
func (s *sparkline) Reset() {
	s.values = s.values[:0]
	s.Refresh()
}

// Values returns a copy of the samples, oldest first.
func (s *sparkline) Values() []float64 { return append([]float64(nil), s.values...) }

func (s *sparkline) draw(w, h int) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	if w <= 0 || h <= 0 {
		return img
	}
	draw.Draw(img, img.Bounds(), image.NewUniform(color.NRGBA{A: 0x30}), image.Point{}, draw.Src)
	peak := 0.0
	for _, v := range s.values {
		peak = max(peak, v)
	}
	if peak == 0 {
		return img
	}
	bar := max(1, w/sparkSamples)
	start := w - bar*len(s.values)
	fill := image.NewUniform(colorGood)
	for i, v := range s.values {
		top := h - int(float64(h)*v/peak)
		x := start + i*bar
		draw.Draw(img, image.Rect(x, top, x+bar, h), fill, image.Point{}, draw.Src)
	}
	return img
}

// CreateRenderer implements fyne.Widget.
func (s *sparkline) CreateRenderer() fyne.WidgetRenderer {
	return &sparkRenderer{s: s}
}

type sparkRenderer struct{ s *sparkline }

func (r *sparkRenderer) Layout(size fyne.Size)        { r.s.raster.Resize(size) }
func (r *sparkRenderer) MinSize() fyne.Size           { return fyne.NewSize(90, 20) }
func (r *sparkRenderer) Refresh()                     { r.s.raster.Refresh() }
func (r *sparkRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.s.raster} }
func (r *sparkRenderer) Destroy()                     {}
