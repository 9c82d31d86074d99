package engine

import (
	"context"
	"fmt"
	"math"
	"time"

	"golive/media/capture"
)

// Audio clock correction: the sample count is the audio clock; the wall
// clock (capture times) is the reference shared with video. Small
// differences are smoothed out of capture jitter and corrected once they
// exceed clockTolerance; jumps beyond clockJump are corrected at once.
const (
	clockTolerance = 10 * time.Millisecond
	clockJump      = 100 * time.Millisecond
	clockSmoothing = 0.05 // weight of a new measurement (chunks are ~10 ms)
)

// audioClock keeps the audio sample count aligned with the wall clock by
// inserting silence or dropping samples.
type audioClock struct {
	epoch   time.Time
	pos     int64 // sample frames emitted
	started bool
	smooth  float64 // smoothed offset in sample frames (audio ahead > 0)
}

func durationToSamples(d time.Duration) int64 {
	return int64(math.Round(d.Seconds() * capture.SampleRate))
}

func samplesToDuration(n int64) time.Duration {
	return time.Duration(n * int64(time.Second) / capture.SampleRate)
}

// align returns the chunk's samples corrected so that the emitted sample
// count matches the chunk's capture time, and the offset that remains
// (audio clock minus wall clock).
func (c *audioClock) align(chunk capture.AudioChunk) ([]float32, time.Duration) {
	expected := durationToSamples(chunk.Time.Sub(c.epoch))
	diff := c.pos - expected
	var correction int64
	switch {
	case !c.started || math.Abs(float64(diff)) > float64(durationToSamples(clockJump)):
		c.started = true
		correction, c.smooth = diff, 0
	default:
		c.smooth += (float64(diff) - c.smooth) * clockSmoothing
		if math.Abs(c.smooth) > float64(durationToSamples(clockTolerance)) {
			correction = int64(math.Round(c.smooth))
			c.smooth -= float64(correction)
		}
	}
	samples := chunk.Samples
	switch {
	case correction < 0: // audio behind: insert silence before the chunk
		pad := make([]float32, int(-correction)*capture.Channels, int(-correction)*capture.Channels+len(samples))
		samples = append(pad, samples...)
	case correction > 0: // audio ahead: drop samples from the chunk
		drop := min(int(correction), chunk.Frames())
		samples = samples[drop*capture.Channels:]
	}
	offset := samplesToDuration(diff - correction)
	c.pos += int64(len(samples) / capture.Channels)
	return samples, offset
}

// meter measures peak and RMS levels over windows of ~100 ms.
type meter struct {
	peak  float64
	sumSq float64
	n     int
}

const meterWindow = capture.SampleRate / 10

// add accounts samples and returns true with the levels (dBFS) when a
// window completed (the last one, when samples complete several).
func (m *meter) add(samples []float32) (peakDB, rmsDB float64, done bool) {
	for len(samples) > 0 {
		n := min(len(samples), meterWindow*capture.Channels-m.n)
		peak, sumSq := m.peak, m.sumSq
		for _, s := range samples[:n] {
			v := math.Abs(float64(s))
			if v > peak {
				peak = v
			}
			sumSq += v * v
		}
		m.peak, m.sumSq, m.n = peak, sumSq, m.n+n
		samples = samples[n:]
		if m.n == meterWindow*capture.Channels {
			peakDB, rmsDB, done = toDB(m.peak), toDB(math.Sqrt(m.sumSq/float64(m.n))), true
			*m = meter{}
		}
	}
	return peakDB, rmsDB, done
}

// MinDB is the level reported for silence.
const MinDB = -100.0

func toDB(v float64) float64 {
	if v <= 0 {
		return MinDB
	}
	return max(20*math.Log10(v), MinDB)
}

// SetMuted silences the audio that is sent (the stream keeps its audio
// track, carrying silence) or restores it. The level meter shows what is
// sent, so it falls to MinDB while muted.
func (e *Engine) SetMuted(muted bool) { e.muted.Store(muted) }

// Muted reports whether the audio is muted.
func (e *Engine) Muted() bool { return e.muted.Load() }

// runAudio captures, aligns, meters and encodes audio.
func (e *Engine) runAudio(ctx context.Context, epoch time.Time) error {
	clock := audioClock{epoch: epoch}
	var m meter
	read := e.audioSrc.Read
	if e.guardMic {
		g := newMicGuard(e.audioSrc, epoch)
		e.mu.Lock()
		e.guard = g
		e.mu.Unlock()
		read = func(ctx context.Context) (capture.AudioChunk, error) { return g.read(ctx, e.Logger.Warn) }
	}
	for {
		chunk, err := read(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("audio source: %w", err)
		}
		samples, offset := clock.align(chunk)
		e.stats.setAVOffset(offset)
		if e.muted.Load() {
			clear(samples)
		}
		if peak, rms, ok := m.add(samples); ok {
			e.stats.setLevels(peak, rms)
		}
		for _, enc := range e.aencs {
			pkts, err := enc.Write(samples)
			if err != nil {
				return err
			}
			for _, p := range pkts {
				p.CaptureTime = epoch.Add(p.PTS - offset)
				e.writeAudio(p)
			}
		}
	}
}
