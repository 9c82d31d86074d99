package interleave

import (
	"context"
	"time"

	"golive/media/stream"
	"golive/media/unit"
)

// Next is the read of a sending loop that merges: the reader's next
// packet, or nil and no error when the merge's next deadline passes first
// (Pop what is due then). The first call turns r's audio wake off, as a
// previous connection may have left it on; call Stop when the loop ends.
func (m *Merger) Next(ctx context.Context, r *stream.Reader) (*unit.Packet, error) {
	if m.timer == nil {
		m.timer = time.NewTimer(time.Hour)
		m.timer.Stop()
		r.SetAudioWake(false)
		m.audioWake = false
	}
	var wake <-chan time.Time
	if at, ok := m.Deadline(); ok {
		m.timer.Reset(time.Until(at))
		wake = m.timer.C
	}
	return r.ReadOr(ctx, wake)
}

// Stop releases Next's timer.
func (m *Merger) Stop() {
	if m.timer != nil {
		m.timer.Stop()
	}
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
