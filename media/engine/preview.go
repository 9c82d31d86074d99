package engine

import (
	"image"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asticode/go-astiav"
)

// Preview tuning: the preview is refreshed at most every previewPeriod, and
// only while Preview was called within previewIdle.
const (
	PreviewWidth  = 480
	previewPeriod = 100 * time.Millisecond
	previewIdle   = 2 * time.Second
)

// previewer keeps a small RGBA picture of the latest converted frame while
// someone asks for it; when nobody does, offer costs one atomic load.
type previewer struct {
	lastAsk atomic.Int64 // unix nanoseconds of the last Preview call

	// Capture goroutine only.
	ssc        *astiav.SoftwareScaleContext
	rgba       *astiav.Frame
	lastMade   time.Time
	srcW, srcH int

	mu  sync.Mutex
	img *image.RGBA
}

func (p *previewer) wanted(now time.Time) bool {
	return now.UnixNano()-p.lastAsk.Load() < int64(previewIdle)
}

// offer scales f into a new preview picture when one is due.
func (p *previewer) offer(f *astiav.Frame) {
	now := time.Now()
	if !p.wanted(now) || now.Sub(p.lastMade) < previewPeriod {
		return
	}
	p.lastMade = now
	img, err := p.scale(f)
	if err != nil {
		return // a preview is best effort; the stream is unaffected
	}
	p.mu.Lock()
	p.img = img
	p.mu.Unlock()
}

func (p *previewer) scale(f *astiav.Frame) (*image.RGBA, error) {
	w, h := f.Width(), f.Height()
	if p.ssc == nil || p.srcW != w || p.srcH != h {
		p.free()
		dh := max(2, (PreviewWidth*h/w)&^1)
		ssc, err := astiav.CreateSoftwareScaleContext(w, h, f.PixelFormat(), PreviewWidth, dh,
			astiav.PixelFormatRgba, astiav.NewSoftwareScaleContextFlags(astiav.SoftwareScaleContextFlagFastBilinear))
		if err != nil {
			return nil, err
		}
		p.ssc, p.srcW, p.srcH = ssc, w, h
		p.rgba = astiav.AllocFrame()
	}
	p.rgba.Unref()
	if err := p.ssc.ScaleFrame(f, p.rgba); err != nil {
		return nil, err
	}
	img := &image.RGBA{}
	if err := p.rgba.Data().ToImage(img); err != nil {
		return nil, err
	}
	return img, nil
}

// latest records a request and returns the current picture.
func (p *previewer) latest() *image.RGBA {
	p.lastAsk.Store(time.Now().UnixNano())
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.img
}

func (p *previewer) free() {
	if p.ssc != nil {
		p.ssc.Free()
		p.ssc = nil
	}
	if p.rgba != nil {
		p.rgba.Free()
		p.rgba = nil
	}
}

// Preview returns the latest captured frame scaled to PreviewWidth pixels
// wide (aspect kept), refreshed about ten times a second while Preview is
// being called. The picture is not modified afterwards. ok is false until
// a first picture exists (the first call starts the previews).
func (e *Engine) Preview() (img *image.RGBA, ok bool) {
	img = e.preview.latest()
	return img, img != nil
}
