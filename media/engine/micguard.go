package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golive/media/capture"
)

// micStall is how long the microphone may deliver nothing before the
// engine fills the gap with silence: the stream keeps its audio track
// (players and muxers interleave audio with video and would stall) and
// video goes on.
const micStall = 300 * time.Millisecond

// maxSilenceChunk bounds one generated silence chunk.
const maxSilenceChunk = time.Second

// micGuard stands between a microphone and the audio encoder: when the
// device stops delivering (unplugged, suspended) or fails, it produces
// silence paced in real time, says so in the audio note, and switches back
// to the device as soon as it delivers again.
type micGuard struct {
	src     capture.AudioSource
	lastEnd time.Time // capture time of the end of the last chunk

	mu   sync.Mutex
	note string
}

func newMicGuard(src capture.AudioSource, epoch time.Time) *micGuard {
	return &micGuard{src: src, lastEnd: epoch}
}

// read returns the device's next chunk or, when it stalls or fails, the
// silence since the last chunk. It fails only when ctx ends.
func (g *micGuard) read(ctx context.Context, log func(msg string, args ...any)) (capture.AudioChunk, error) {
	rctx, cancel := context.WithTimeout(ctx, micStall)
	chunk, err := g.src.Read(rctx)
	cancel()
	if err == nil {
		if g.setNote("") != "" {
			log("microphone delivers again")
		}
		g.lastEnd = chunk.Time.Add(time.Duration(chunk.Frames()) * time.Second / capture.SampleRate)
		return chunk, nil
	}
	if ctx.Err() != nil {
		return capture.AudioChunk{}, ctx.Err()
	}
	reason := "delivers nothing"
	if !errors.Is(err, context.DeadlineExceeded) {
		reason = err.Error()
		// A source failing at once must not spin: pace the retries.
		if err := sleepCtx(ctx, micStall); err != nil {
			return capture.AudioChunk{}, err
		}
	}
	note := fmt.Sprintf("microphone stopped (%s): sending silence until it is back", reason)
	if g.setNote(note) != note {
		log("microphone stopped: sending silence", "reason", reason)
	}
	now := time.Now()
	start := g.lastEnd
	if floor := now.Add(-maxSilenceChunk); start.Before(floor) {
		start = floor
	}
	frames := int(now.Sub(start) * capture.SampleRate / time.Second)
	g.lastEnd = start.Add(time.Duration(frames) * time.Second / capture.SampleRate)
	return capture.AudioChunk{Samples: make([]float32, frames*capture.Channels), Time: start}, nil
}

// setNote sets the note and returns the previous one.
func (g *micGuard) setNote(n string) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	prev := g.note
	g.note = n
	return prev
}

// Note is the guard's note, else the device's.
func (g *micGuard) Note() string {
	g.mu.Lock()
	n := g.note
	g.mu.Unlock()
	if n != "" {
		return n
	}
	return g.src.Note()
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
