// Package capture provides the raw media sources GoLive encodes: the
// screen (libavdevice: x11grab, avfoundation or gdigrab by GOOS), the
// microphone (malgo), and a synthetic lavfi test pattern with an A/V sync
// marker. Video sources deliver decoded libav frames; audio sources deliver
// 48 kHz interleaved stereo float32 PCM.
package capture

import (
	"context"
	"time"

	"github.com/asticode/go-astiav"

	"golive/media/testpattern"
)

// Audio format every AudioSource delivers.
const (
	SampleRate = testpattern.SampleRate
	Channels   = 2
)

// VideoFrame is one captured picture.
type VideoFrame struct {
	// Frame is owned by the source and valid until the next Read.
	Frame *astiav.Frame
	// Time is the wall-clock capture time of the picture.
	Time time.Time
}

// VideoSource is a screen or synthetic picture source.
type VideoSource interface {
	// Start begins delivery; epoch is the stream clock's zero, which
	// paced synthetic sources use as their own start.
	Start(epoch time.Time) error
	// Read blocks until the next picture, ctx ends or the source fails.
	Read(ctx context.Context) (VideoFrame, error)
	// Close frees the source. Read must not be running.
	Close()
}

// AudioChunk is a run of captured audio samples.
type AudioChunk struct {
	// Samples are interleaved stereo float32 at 48 kHz. They stay valid
	// until the source's next Read, which may reuse them: a caller that
	// keeps samples longer copies them.
	Samples []float32
	// Time is the wall-clock capture time of the first sample.
	Time time.Time
}

// Frames returns the number of sample frames (samples per channel).
func (c AudioChunk) Frames() int { return len(c.Samples) / Channels }

// AudioSource is a microphone, a synthetic tone or silence.
type AudioSource interface {
	// Start begins capture; epoch is the stream clock's zero.
	Start(epoch time.Time) error
	// Read blocks until the next chunk, ctx ends or the source fails.
	Read(ctx context.Context) (AudioChunk, error)
	// Note describes a degraded state (e.g. a silence fallback), or "".
	Note() string
	// Close stops capture and frees the source. Read must not be running.
	Close()
}

// pacer releases a paced source's data at given instants. It reuses one
// timer, where a timer per wait would be a runtime timer and a channel
// allocated 50 to 100 times a second.
type pacer struct {
	timer *time.Timer
}

// sleepUntil waits until t or until ctx ends (returning its error).
func (p *pacer) sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	if p.timer == nil {
		p.timer = time.NewTimer(d)
	} else {
		p.timer.Reset(d) // stopped or fired and drained: no stale tick (Go 1.23 timers)
	}
	select {
	case <-ctx.Done():
		p.timer.Stop()
		return ctx.Err()
	case <-p.timer.C:
		return nil
	}
}
