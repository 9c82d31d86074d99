package stream

import (
	"context"
	"slices"
	"sync"
	"time"

	"golive/media/unit"
)

// Default reader limits.
const (
	DefaultMaxQueue   = 2 * time.Second
	DefaultMaxPackets = 1024
)

// AudioWakeSpan is how much audio may wait in the queue of a reader that
// also takes video before the reader is woken for it. Audio packets come
// about 47 times a second (AAC) against 30 video frames: a reader woken
// by every packet runs, and writes to its socket, once per packet. Woken
// by the video frames (or by this much audio when no frame comes), it
// takes the audio that arrived in between in the same turn, at the cost
// of at most one frame interval of audio latency.
const AudioWakeSpan = 40 * time.Millisecond

// ReaderConfig configures one subscription.
type ReaderConfig struct {
	// Name identifies the reader in logs and stats.
	Name string
	// MaxQueue is how much media (by decode timestamps) the queue may hold
	// before video is dropped until the next key frame.
	MaxQueue time.Duration
	// MaxPackets bounds the queue length whatever the timestamps say.
	MaxPackets int
	// Codecs limits the reader to these codecs (nil: all).
	Codecs []unit.Codec
}

// ReaderStats is a snapshot of a reader's counters.
type ReaderStats struct {
	Queued        time.Duration
	QueuedPackets int
	Delivered     uint64
	DroppedVideo  uint64
	DroppedAudio  uint64
	// Overflows counts how many times the queue overflowed.
	Overflows uint64
}

// Reader is one subscriber's bounded queue.
type Reader struct {
	cfg    ReaderConfig
	stream *Stream
	notify chan struct{}

	mu       sync.Mutex
	queue    []*unit.Packet // ring buffer
	head     int
	count    int
	waitKey  bool
	started  bool // the first key frame arrived (always true without video)
	closed   bool
	stats    ReaderStats
	hasVideo bool
	// lazyAudio: audio does not wake the reader at once (see
	// AudioWakeSpan); unwoken is set, with the DTS of the oldest packet
	// queued since the last wake, while such packets wait.
	lazyAudio  bool
	unwoken    bool
	unwokenDTS time.Duration
	// audioWake (SetAudioWake) suspends lazyAudio.
	audioWake bool
	// move is the state of a move to another stream (move.go).
	move moveState
}

func newReader(s *Stream, cfg ReaderConfig) *Reader {
	if cfg.MaxQueue <= 0 {
		cfg.MaxQueue = DefaultMaxQueue
	}
	if cfg.MaxPackets <= 0 {
		cfg.MaxPackets = DefaultMaxPackets
	}
	r := &Reader{
		cfg:      cfg,
		stream:   s,
		notify:   make(chan struct{}, 1),
		queue:    make([]*unit.Packet, cfg.MaxPackets),
		waitKey:  true,
		started:  s.tracks.Video == nil,
		hasVideo: s.tracks.Video != nil,
	}
	r.lazyAudio = r.hasVideo && r.wants(s.tracks.Video.Codec)
	return r
}

// Name returns the reader's configured name.
func (r *Reader) Name() string { return r.cfg.Name }

func (r *Reader) wants(c unit.Codec) bool {
	return r.cfg.Codecs == nil || slices.Contains(r.cfg.Codecs, c)
}

func (r *Reader) push(src *Stream, p *unit.Packet) {
	if !r.wants(p.Codec) {
		return
	}
	r.mu.Lock()
	if !r.fromLocked(src, p) {
		r.mu.Unlock()
		return
	}
	r.pushLocked(p)
	wake := r.wakeLocked(p)
	r.mu.Unlock()
	if wake {
		r.wake()
	}
}

// wakeLocked tells whether pushing p should wake the reader: always for
// video, and for audio once AudioWakeSpan of it waits (see lazyAudio).
func (r *Reader) wakeLocked(p *unit.Packet) bool {
	if !r.lazyAudio || r.audioWake || p.Kind() == unit.KindVideo {
		r.unwoken = false
		return true
	}
	if !r.unwoken {
		r.unwoken, r.unwokenDTS = true, p.DTS
	}
	if p.DTS-r.unwokenDTS < AudioWakeSpan {
		return false
	}
	r.unwoken = false
	return true
}

func (r *Reader) wake() {
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

func (r *Reader) pushLocked(p *unit.Packet) {
	if r.closed {
		return
	}
	isVideo := p.Kind() == unit.KindVideo
	if r.waitKey && r.hasVideo && isVideo {
		if !p.Key {
			if r.started {
				r.stats.DroppedVideo++
			}
			return
		}
		r.waitKey = false
		if !r.started {
			// Audio queued while waiting for the first key frame is
			// kept from the key frame's time on, and the key frame goes
			// first, so that both tracks start together however late
			// the encoder delivers it.
			r.pruneBeforeLocked(p.DTS)
			r.started = true
			if r.count < len(r.queue) {
				r.head = (r.head - 1 + len(r.queue)) % len(r.queue)
				r.queue[r.head] = p
				r.count++
				return
			}
		}
	}
	if r.count == len(r.queue) || r.spanLocked(p) > r.cfg.MaxQueue {
		r.overflowLocked()
		if isVideo && !p.Key {
			r.stats.DroppedVideo++
			return
		}
		if isVideo {
			r.waitKey = false
		}
	}
	for r.count == len(r.queue) || (!isVideo && r.spanLocked(p) > 2*r.cfg.MaxQueue) {
		r.dropOldestLocked()
	}
	r.queue[(r.head+r.count)%len(r.queue)] = p
	r.count++
}

// spanLocked is the media duration the queue would hold with p added.
func (r *Reader) spanLocked(p *unit.Packet) time.Duration {
	if r.count == 0 {
		return 0
	}
	return p.DTS - r.queue[r.head].DTS
}

// pruneBeforeLocked removes queued packets older than dts, without
// counting them as drops: they were never due to this reader.
func (r *Reader) pruneBeforeLocked(dts time.Duration) {
	n := len(r.queue)
	kept := 0
	for i := 0; i < r.count; i++ {
		q := r.queue[(r.head+i)%n]
		r.queue[(r.head+i)%n] = nil
		if q.DTS >= dts {
			r.queue[(r.head+kept)%n] = q
			kept++
		}
	}
	r.count = kept
}

// overflowLocked drops all queued video and waits for the next key frame.
// Audio stays queued: a short audio gap is worse than a frozen picture.
func (r *Reader) overflowLocked() {
	r.stats.Overflows++
	r.dropVideoLocked()
	r.waitKey = r.hasVideo
}

// dropVideoLocked drops the queued video (counted; audio stays).
func (r *Reader) dropVideoLocked() {
	n := len(r.queue)
	kept := 0
	for i := 0; i < r.count; i++ {
		q := r.queue[(r.head+i)%n]
		r.queue[(r.head+i)%n] = nil
		if q.Kind() == unit.KindVideo {
			r.stats.DroppedVideo++
			continue
		}
		r.queue[(r.head+kept)%n] = q
		kept++
	}
	r.count = kept
}

func (r *Reader) dropOldestLocked() {
	q := r.queue[r.head]
	r.queue[r.head] = nil
	r.head = (r.head + 1) % len(r.queue)
	r.count--
	if q.Kind() == unit.KindVideo {
		r.stats.DroppedVideo++
		r.waitKey = r.hasVideo
	} else {
		r.stats.DroppedAudio++
	}
}

// Read returns the next packet, waiting until one is queued, the context
// ends (its error is returned) or the reader is closed (ErrClosed).
func (r *Reader) Read(ctx context.Context) (*unit.Packet, error) {
	return r.ReadOr(ctx, nil) // a nil wake never fires
}

// TryRead returns the next queued packet without waiting, or nil when
// there is none: an output that was woken takes what else is queued and
// sends it in the same turn.
func (r *Reader) TryRead() *unit.Packet {
	r.mu.Lock()
	p := r.popLocked()
	r.mu.Unlock()
	r.leaveStale()
	return p
}

func (r *Reader) popLocked() *unit.Packet {
	if r.count == 0 || !r.started {
		return nil
	}
	p := r.queue[r.head]
	r.queue[r.head] = nil
	r.head = (r.head + 1) % len(r.queue)
	r.count--
	r.stats.Delivered++
	if r.count == 0 {
		r.unwoken = false
	}
	return p
}

// SkipToKeyframe empties the queue and drops video until the next key
// frame, as an output does after reconnecting. Dropped packets are counted.
func (r *Reader) SkipToKeyframe() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for r.count > 0 {
		r.dropOldestLocked()
	}
	r.waitKey = r.hasVideo
}

// Stats returns a snapshot of the reader's counters.
func (r *Reader) Stats() ReaderStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.stats
	s.QueuedPackets = r.count
	if r.count > 0 {
		last := r.queue[(r.head+r.count-1)%len(r.queue)]
		s.Queued = last.DTS - r.queue[r.head].DTS
	}
	return s
}

// Close unsubscribes the reader (from every stream it is on, see MoveTo);
// a blocked Read returns ErrClosed.
func (r *Reader) Close() {
	r.mu.Lock()
	streams := append([]*Stream{r.stream}, r.move.stale...)
	if r.move.next != nil {
		streams = append(streams, r.move.next)
	}
	r.move.stale, r.move.next = nil, nil
	r.mu.Unlock()
	for _, s := range streams {
		s.unsubscribe(r)
	}
	r.close()
}

func (r *Reader) close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.wake()
}
