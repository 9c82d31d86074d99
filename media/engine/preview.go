package engine

import (
	"image"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asticode/go-astiav"
)

// Preview tuning: the preview is refreshed at most every previewPeriod, and
// only while Preview was called within previewIdle. A caller that asks less
// often (a window drawing 1 fps) gets a picture converted about previewLead
// before it asks, not ten it never shows.
const (
	PreviewWidth  = 480
	previewPeriod = 100 * time.Millisecond
	previewIdle   = 2 * time.Second
	previewLead   = 100 * time.Millisecond
)

// previewer keeps a small RGBA picture of the latest converted frame while
// someone asks for it; when nobody does, offer costs one atomic load.
type previewer struct {
	lastAsk  atomic.Int64 // unix nanoseconds of the last Preview call
	askEvery atomic.Int64 // smoothed interval between Preview calls (ns)

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

// refreshPeriod is how often a new picture is worth converting: as often
// as the caller asks, less the lead, and at most every previewPeriod.
func (p *previewer) refreshPeriod() time.Duration {
	return max(previewPeriod, time.Duration(p.askEvery.Load())-previewLead)
}

// offer scales f into a new preview picture when one is due.
func (p *previewer) offer(f *astiav.Frame) {
	now := time.Now()
	if !p.wanted(now) || now.Sub(p.lastMade) < p.refreshPeriod() {
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
	p.noteAsk(time.Now())
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.img
}

// noteAsk records a request at now and learns the caller's rate; a pause
// longer than previewIdle starts over.
func (p *previewer) noteAsk(now time.Time) {
	prev := p.lastAsk.Swap(now.UnixNano())
	d := now.UnixNano() - prev
	switch old := p.askEvery.Load(); {
	case prev == 0 || d <= 0 || d >= int64(previewIdle):
		p.askEvery.Store(0)
	case old == 0:
		p.askEvery.Store(d)
	default:
		p.askEvery.Store(old + (d-old)/4)
	}
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
// wide (aspect kept), refreshed as often as Preview is called (at most ten
// times a second), shortly before the next call is expected. The picture
// is not modified afterwards. ok is false until a first picture exists
// (the first call starts the previews).
func (e *Engine) Preview() (img *image.RGBA, ok bool) {
	img = e.preview.latest()
	return img, img != nil
}
