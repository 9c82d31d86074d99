package ui

import "time"

// Every change to a widget makes Fyne repaint the whole window: with a
// GPU that is a few milliseconds of the main thread, with software
// OpenGL (Mesa's llvmpipe, no GPU) about 25 ms of CPU for this window on
// 2 cores. The preview and the level meter are therefore redrawn at a
// rate that keeps painting within paintBudget of one core, between
// minPreviewFPS and maxPreviewFPS, so that a machine without a GPU keeps
// its CPU for the encoder. Everything else changes once a second.
const (
	maxPreviewFPS = 10
	minPreviewFPS = 1
	// paintBudget is the share of one core the GUI threads may use for
	// painting while live.
	paintBudget = 0.04
)

// pacer chooses the preview rate from the CPU time the GUI threads
// (the main thread, which paints, and a software renderer's threads)
// used since the last update. Without that figure (other systems, tests)
// the rate stays at maxPreviewFPS.
type pacer struct {
	// sample returns the CPU time the GUI threads have used so far.
	sample func() (time.Duration, bool)
	fps    int
	at     time.Time
	used   time.Duration
}

func newPacer(sample func() (time.Duration, bool)) *pacer {
	return &pacer{sample: sample, fps: maxPreviewFPS}
}

// reset starts a new measure at the full rate (a stream starts).
func (p *pacer) reset(now time.Time) {
	p.fps = maxPreviewFPS
	p.at, p.used = now, 0
	if used, ok := p.sample(); ok {
		p.used = used
	} else {
		p.at = time.Time{}
	}
}

// update measures the GUI's share of a core since the last call (about
// once a second) and returns the preview rate to use next.
func (p *pacer) update(now time.Time) int {
	used, ok := p.sample()
	if !ok {
		return p.fps
	}
	prevAt, prevUsed := p.at, p.used
	p.at, p.used = now, used
	if prevAt.IsZero() || now.Sub(prevAt) < 100*time.Millisecond {
		return p.fps
	}
	share := (used - prevUsed).Seconds() / now.Sub(prevAt).Seconds()
	p.fps = nextPreviewFPS(p.fps, share)
	return p.fps
}

// nextPreviewFPS returns the rate that keeps painting within
// paintBudget, given that the GUI threads used share of a core while the
// preview ran at fps: the cost of one frame is share/fps (the once-a-
// second changes are counted in it, so the estimate errs on the safe
// side). The rate falls at once and rises at most twofold per step, so
// that a burst of repaints (a dialog, the mouse over buttons) does not
// make it swing.
func nextPreviewFPS(fps int, share float64) int {
	fps = min(max(fps, minPreviewFPS), maxPreviewFPS)
	if share <= 0 {
		return min(2*fps, maxPreviewFPS)
	}
	perFrame := share / float64(fps)
	want := int(paintBudget / perFrame)
	return min(max(want, minPreviewFPS), 2*fps, maxPreviewFPS)
}
