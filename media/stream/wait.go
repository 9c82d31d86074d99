package stream

import (
	"context"
	"time"

	"golive/media/unit"
)

// ReadOr is Read that also gives up when wake fires (a timer of the
// caller's, which holds packets back until a deadline), returning nil and
// no error; a nil wake waits as Read does.
func (r *Reader) ReadOr(ctx context.Context, wake <-chan time.Time) (*unit.Packet, error) {
	r.leaveStale()
	for {
		r.mu.Lock()
		if p := r.popLocked(); p != nil {
			r.mu.Unlock()
			return p, nil
		}
		closed := r.closed
		r.mu.Unlock()
		if closed {
			return nil, ErrClosed
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-r.notify:
		case <-wake:
			return nil, nil
		}
	}
}

// SetAudioWake makes every audio packet wake the reader while on (an
// output holding video back until the audio of its instant arrives), and
// restores the lazy wake of AudioWakeSpan when off.
func (r *Reader) SetAudioWake(on bool) {
	r.mu.Lock()
	r.audioWake = on
	r.mu.Unlock()
}
