package stream

import (
	"sync/atomic"

	"golive/media/unit"
)

// Moving a reader to another stream: an output that changes encoder
// (another rendition of the same capture, with the same audio packets)
// without reconnecting. The reader subscribes to the new stream at once
// but keeps taking the old one's packets until the new one brings a video
// key frame; from that frame on it takes only the new stream's. The old
// stream's video still queued then is dropped (and counted): a reader
// moves because its path could not carry that stream, and frames of it
// still to send would delay the new one past the queue's limit (an
// overflow then drops video until the next key frame, a whole GOP). An
// audio packet both streams carry (the engine writes the same packet to
// each) is taken once. The old stream is left by the reader's
// next Read, outside the streams' locks.

// dedupeAudio is how many audio packets after a move are checked against
// those the old stream already gave.
const dedupeAudio = 8

// moveState is a reader's move in progress and what it leaves behind.
type moveState struct {
	// next is the stream being moved to (nil: none).
	next *Stream
	// stale are streams moved away from, still to leave.
	stale    []*Stream
	hasStale atomic.Bool
	// recent are the last audio packets queued; check counts the audio
	// packets after a move still compared with them.
	recent [dedupeAudio]*unit.Packet
	last   int
	check  int
	moves  uint64
}

// MoveTo moves the reader to stream to at to's next video key frame (see
// above). Moving to the stream the reader is on cancels a pending move.
// It returns false when the reader or to is closed.
func (r *Reader) MoveTo(to *Stream) bool {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return false
	}
	prev := r.move.next
	r.move.next = to
	if to == r.stream {
		r.move.next = nil
	}
	r.mu.Unlock()
	if prev != nil && prev != to {
		prev.unsubscribe(r)
	}
	if to == r.stream || to == prev {
		return true
	}
	to.mu.Lock()
	closed := to.closed
	if !closed {
		to.readers[r] = struct{}{}
	}
	to.mu.Unlock()
	if closed {
		r.mu.Lock()
		if r.move.next == to {
			r.move.next = nil
		}
		r.mu.Unlock()
		return false
	}
	return true
}

// Moving reports whether a move waits for its key frame; Moves counts
// the moves done.
func (r *Reader) Moving() (pending bool, moves uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.move.next != nil, r.move.moves
}

// WaitingKeyFrame reports whether the reader drops video until the next
// key frame (its queue overflowed).
func (r *Reader) WaitingKeyFrame() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.started && r.waitKey && r.hasVideo
}

// Tracks returns the codec parameters of the stream the reader is on.
func (r *Reader) Tracks() unit.Tracks {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stream.tracks
}

// fromLocked tells whether p, written to src, is for this reader: src is
// its stream, or the stream it moves to and p the key frame that
// completes the move. An audio packet already queued is left out.
func (r *Reader) fromLocked(src *Stream, p *unit.Packet) bool {
	if src != r.stream {
		if src != r.move.next || p.Kind() != unit.KindVideo || !p.Key {
			return false
		}
		r.move.stale = append(r.move.stale, r.stream)
		r.move.hasStale.Store(true)
		r.stream, r.move.next = src, nil
		r.move.moves++
		r.move.check = dedupeAudio
		r.dropVideoLocked()
		return true
	}
	if p.Kind() == unit.KindVideo {
		return true
	}
	if r.move.check > 0 {
		r.move.check--
		for _, q := range r.move.recent {
			if q == p {
				return false
			}
		}
	}
	r.move.recent[r.move.last] = p
	r.move.last = (r.move.last + 1) % dedupeAudio
	return true
}

// leaveStale unsubscribes from the streams moved away from (called by
// the reading goroutine, which holds no lock).
func (r *Reader) leaveStale() {
	if !r.move.hasStale.Load() {
		return
	}
	r.mu.Lock()
	stale := r.move.stale
	r.move.stale = nil
	r.move.hasStale.Store(false)
	r.mu.Unlock()
	for _, s := range stale {
		s.unsubscribe(r)
	}
}

// closeFrom is Stream.Close's notice to the reader: the end of its own
// stream closes it; that of a stream it moves to cancels the move.
func (r *Reader) closeFrom(s *Stream) {
	r.mu.Lock()
	own := s == r.stream
	if r.move.next == s {
		r.move.next = nil
	}
	r.mu.Unlock()
	if own {
		r.close()
	}
}
