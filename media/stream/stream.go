// Package stream fans encoded packets out to any number of readers. Every
// reader has its own bounded queue, measured in milliseconds of media; a
// reader that falls behind loses video until the next key frame and never
// blocks the writer or another reader. It has no cgo dependency.
package stream

import (
	"errors"
	"sync"
	"sync/atomic"

	"golive/media/unit"
)

// ErrClosed is returned by Reader.Read once the stream or the reader is
// closed and its queue has been drained.
var ErrClosed = errors.New("stream closed")

// Stream distributes packets written by one encoder to many readers.
type Stream struct {
	tracks unit.Tracks

	mu      sync.RWMutex
	readers map[*Reader]struct{}
	closed  bool

	written atomic.Uint64
}

// New returns a stream carrying the given tracks.
func New(tracks unit.Tracks) *Stream {
	return &Stream{tracks: tracks, readers: make(map[*Reader]struct{})}
}

// Tracks returns the codec parameters of the stream.
func (s *Stream) Tracks() unit.Tracks { return s.tracks }

// Written returns how many packets have been written to the stream.
func (s *Stream) Written() uint64 { return s.written.Load() }

// Write hands a packet to every reader. It never blocks on a reader: a
// reader whose queue is full drops and counts instead.
func (s *Stream) Write(p *unit.Packet) {
	s.written.Add(1)
	s.mu.RLock()
	defer s.mu.RUnlock()
	for r := range s.readers {
		r.push(s, p)
	}
}

// Readers returns how many readers are subscribed (a reader moving to or
// from the stream counts, see Reader.MoveTo).
func (s *Stream) Readers() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.readers)
}

// Subscribe adds a reader. A new reader starts at the next video key frame,
// so that its first packet can be decoded.
func (s *Stream) Subscribe(cfg ReaderConfig) *Reader {
	r := newReader(s, cfg)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		r.close()
		return r
	}
	s.readers[r] = struct{}{}
	return r
}

func (s *Stream) unsubscribe(r *Reader) {
	s.mu.Lock()
	delete(s.readers, r)
	s.mu.Unlock()
}

// Close ends the stream: readers drain what they have queued, then Read
// returns ErrClosed.
func (s *Stream) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	for r := range s.readers {
		r.closeFrom(s)
	}
	s.readers = map[*Reader]struct{}{}
}
