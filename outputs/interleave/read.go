package interleave

import (
	"context"
	"time"

	"golive/media/stream"
	"golive/media/unit"
)

// Next is the read of a sending loop that merges: the reader's next
// packet, or nil and no error when the merge's next deadline passes first
// (Pop what is due then). timer is the loop's own timer, created stopped
// and reused for every read.
func (m *Merger) Next(ctx context.Context, r *stream.Reader, timer *time.Timer) (*unit.Packet, error) {
	var wake <-chan time.Time
	if at, ok := m.Deadline(); ok {
		timer.Reset(time.Until(at))
		wake = timer.C
	}
	return r.ReadOr(ctx, wake)
}

// WakeForAudio makes r wake the loop for every audio packet while video
// waits for audio (WaitsForAudio), and only then (stream.Reader's
// SetAudioWake), calling r only when that changes. r starts with it off.
func (m *Merger) WakeForAudio(r *stream.Reader) {
	if waits := m.WaitsForAudio(); waits != m.audioWake {
		m.audioWake = waits
		r.SetAudioWake(waits)
	}
}

// NewTimer is a stopped timer for Next.
func NewTimer() *time.Timer {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return t
}
