package engine

import (
	"sync"
	"sync/atomic"
	"time"
)

// Stats is a snapshot of the engine's counters.
type Stats struct {
	// Elapsed is the time since Run started the clock.
	Elapsed time.Duration
	// FPS is the encoded frame rate over the last second.
	FPS float64
	// Captured, Encoded and Skipped count video frames; skipped frames
	// were captured while the encoder had no room for them.
	Captured, Encoded, Skipped uint64
	// AudioPeakDB and AudioRMSDB are the levels of the last ~100 ms in
	// dBFS (MinDB for silence).
	AudioPeakDB, AudioRMSDB float64
	// AVOffset is the current audio clock minus the shared wall clock.
	AVOffset time.Duration
	// AudioNote describes a degraded audio source, e.g. "no microphone
	// found: sending silence".
	AudioNote string
}

type counters struct {
	captured, encoded, skipped atomic.Uint64

	mu          sync.Mutex
	epoch       time.Time
	end         time.Time // when Run returned
	windowStart time.Time
	windowCount int
	fps         float64
	peakDB      float64
	rmsDB       float64
	avOffset    time.Duration
}

func (c *counters) start(epoch time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch, c.windowStart = epoch, epoch
	c.peakDB, c.rmsDB = MinDB, MinDB
}

func (c *counters) stop(now time.Time) {
	c.mu.Lock()
	c.end = now
	c.mu.Unlock()
}

func (c *counters) frameEncoded(now time.Time) {
	c.encoded.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.windowCount++
	if d := now.Sub(c.windowStart); d >= time.Second {
		c.fps = float64(c.windowCount) / d.Seconds()
		c.windowStart, c.windowCount = now, 0
	}
}

func (c *counters) setLevels(peak, rms float64) {
	c.mu.Lock()
	c.peakDB, c.rmsDB = peak, rms
	c.mu.Unlock()
}

func (c *counters) setAVOffset(d time.Duration) {
	c.mu.Lock()
	c.avOffset = d
	c.mu.Unlock()
}

// Stats returns a snapshot of the engine's counters.
func (e *Engine) Stats() Stats {
	c := &e.stats
	s := Stats{
		Captured: c.captured.Load(),
		Encoded:  c.encoded.Load(),
		Skipped:  c.skipped.Load(),
	}
	c.mu.Lock()
	switch {
	case !c.end.IsZero():
		s.Elapsed = c.end.Sub(c.epoch)
	case !c.epoch.IsZero():
		s.Elapsed = time.Since(c.epoch)
	}
	s.FPS, s.AudioPeakDB, s.AudioRMSDB, s.AVOffset = c.fps, c.peakDB, c.rmsDB, c.avOffset
	c.mu.Unlock()
	if c.epoch.IsZero() {
		s.AudioPeakDB, s.AudioRMSDB = MinDB, MinDB
	}
	s.AudioNote = e.audioNote()
	return s
}

func (e *Engine) audioNote() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.guard != nil {
		return e.guard.Note()
	}
	if e.audioSrc == nil {
		return ""
	}
	return e.audioSrc.Note()
}
