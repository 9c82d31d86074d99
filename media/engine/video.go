package engine

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"sync/atomic"
	"time"

	"github.com/asticode/go-astiav"

	"golive/media/capture"
)

// slot is one converted picture travelling from capture to the encoder.
type slot struct {
	frame    *astiav.Frame
	index    int64 // position on the 1/FPS grid
	captured time.Time
}

// handoff is the bounded hand-off between capture and encoder: a fixed
// pool of frames. Capture takes a free slot or, when the encoder still
// holds them all, skips the picture; the queue can never grow.
type handoff struct {
	slots     []*slot
	idle      chan *slot
	ready     chan *slot
	maxQueued atomic.Int64
}

func (h *handoff) init(n int) error {
	h.idle = make(chan *slot, n)
	h.ready = make(chan *slot, n)
	for range n {
		f := astiav.AllocFrame()
		if f == nil {
			return errors.New("allocate hand-off frame")
		}
		s := &slot{frame: f}
		h.slots = append(h.slots, s)
		h.idle <- s
	}
	return nil
}

func (h *handoff) release() {
	for _, s := range h.slots {
		s.frame.Free()
	}
	h.slots = nil
}

// frameIndex places a capture time on the output frame grid.
func frameIndex(t, epoch time.Time, fps int) int64 {
	return int64(math.Round(t.Sub(epoch).Seconds() * float64(fps)))
}

// captureVideo reads pictures, converts them and hands them to the
// encoder; pictures the encoder has no room for are skipped.
func (e *Engine) captureVideo(ctx context.Context, epoch time.Time) error {
	_, unlock := lockThread() // onThreadCPU measures scaling on this thread
	defer unlock()
	last := int64(-1)
	for {
		vf, err := e.videoSrc.Read(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return e.videoSourceError(err)
		}
		e.stats.captured.Add(1)
		for _, p := range e.pipes {
			if err := p.offer(vf, epoch); err != nil {
				return err
			}
		}
		idx := max(frameIndex(vf.Time, epoch, e.FPS), last+1)
		last = idx
		var s *slot
		select {
		case s = <-e.handoff.idle:
		default:
			e.stats.skipped.Add(1)
			continue
		}
		start, cpu := time.Now(), onThreadCPU()
		if err := e.scaler.Scale(vf.Frame, s.frame); err != nil {
			return fmt.Errorf("video conversion: %w", err)
		}
		e.meter.busy(time.Since(start), onThreadCPU()-cpu)
		s.index, s.captured = idx, vf.Time
		e.preview.offer(s.frame)
		e.handoff.ready <- s // never blocks: as many places as slots
		if q := int64(len(e.handoff.ready)); q > e.handoff.maxQueued.Load() {
			e.handoff.maxQueued.Store(q)
		}
	}
}

// encodeVideo encodes handed-off pictures and publishes the packets.
func (e *Engine) encodeVideo(ctx context.Context) error {
	tid, unlock := lockThread() // its CPU time is the encoder's
	defer unlock()
	e.meter.threads.add(tid)
	for {
		var s *slot
		select {
		case <-ctx.Done():
			return nil
		case s = <-e.handoff.ready:
		}
		if e.beforeEncode != nil {
			e.beforeEncode()
		}
		start := time.Now()
		pkts, err := e.venc.Encode(s.frame, s.index, s.captured)
		s.frame.Unref()
		e.handoff.idle <- s
		if err != nil {
			return err
		}
		now := time.Now()
		e.stats.frameEncoded(now)
		e.meter.frame(now, now.Sub(start), pkts)
		for _, p := range pkts {
			e.stream.Write(p)
		}
	}
}

// videoSourceError says which capture failed mid-stream: for the screen,
// the display and the likely cause (its X server went away).
func (e *Engine) videoSourceError(err error) error {
	if e.Video.Kind != KindScreen {
		return fmt.Errorf("video source: %w", err)
	}
	if _, portal := e.videoSrc.(capture.RestoreTokener); portal {
		return fmt.Errorf("screen capture through the desktop portal failed: %w", err)
	}
	d := e.Video.Display
	if d == "" {
		d = os.Getenv("DISPLAY")
	}
	return fmt.Errorf("screen capture of display %q failed (was the X server closed?): %w", d, err)
}
