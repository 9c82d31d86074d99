package rtmp

import (
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// Capture-to-wire latency: the time from a video frame's capture
// (unit.Packet.CaptureTime) to the moment the last byte of its RTMP
// message was handed to the socket. go-rtmp writes messages from its own
// goroutine, chunk by chunk (RTMP specification 1.0, section 5.3), so the
// muxer cannot see that moment: wireTap sits between go-rtmp's buffered
// writer and the socket, follows the chunk headers, and records a frame
// when the last chunk of its video message has been written.

// A second histogram, "dequeue", measures capture to the moment the
// muxer takes the frame from its queue: the engine's and the fan-out's
// share of the latency, the rest being RTMP muxing and the socket.

// latencyBuckets is the histogram resolution: 1 ms buckets up to
// latencyBuckets-2 ms, the last one for everything slower.
const latencyBuckets = 1002

// latencyHist is a lock-free histogram of whole milliseconds: one
// recording goroutine, any number of readers.
type latencyHist struct {
	counts [latencyBuckets]atomic.Uint64
	total  atomic.Uint64
	maxMs  atomic.Int64
}

func (h *latencyHist) record(d time.Duration) {
	ms := max(int64(d/time.Millisecond), 0)
	h.counts[min(ms, latencyBuckets-1)].Add(1)
	h.total.Add(1)
	if ms > h.maxMs.Load() {
		h.maxMs.Store(ms)
	}
}

// percentile returns the q-quantile (0 < q ≤ 1) in milliseconds, as the
// upper edge of its bucket, and false when nothing was recorded.
func (h *latencyHist) percentile(q float64) (float64, bool) {
	n := h.total.Load()
	if n == 0 {
		return 0, false
	}
	rank := uint64(q*float64(n) + 0.999999)
	rank = min(max(rank, 1), n)
	var seen uint64
	for i := range h.counts {
		seen += h.counts[i].Load()
		if seen >= rank {
			if i == latencyBuckets-1 {
				return float64(h.maxMs.Load()), true
			}
			return float64(i + 1), true
		}
	}
	return float64(h.maxMs.Load()), true
}

// details adds the histogram's figures to a Detail map, the keys
// starting with prefix.
func (h *latencyHist) details(m map[string]any, prefix string) {
	m[prefix+"_frames"] = h.total.Load()
	if p50, ok := h.percentile(0.50); ok {
		p99, _ := h.percentile(0.99)
		m[prefix+"_p50_ms"] = p50
		m[prefix+"_p99_ms"] = p99
		m[prefix+"_max_ms"] = float64(h.maxMs.Load())
	}
}

// frameTimes is the FIFO of capture times of the video messages handed to
// go-rtmp and not yet on the wire (zero for messages that are not frames,
// such as the sequence header).
type frameTimes struct {
	mu   sync.Mutex
	ring [64]time.Time
	head int
	n    int
}

func (f *frameTimes) push(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n == len(f.ring) { // cannot happen with one message in flight; keep the newest
		f.head = (f.head + 1) % len(f.ring)
		f.n--
	}
	f.ring[(f.head+f.n)%len(f.ring)] = t
	f.n++
}

func (f *frameTimes) pop() (time.Time, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n == 0 {
		return time.Time{}, false
	}
	t := f.ring[f.head]
	f.head = (f.head + 1) % len(f.ring)
	f.n--
	return t, true
}

// headerSizes are the chunk message header sizes of formats 0-3.
var headerSizes = [4]int{11, 7, 3, 0}

// wireTap passes go-rtmp's output to the socket and follows its chunk
// headers. It relies on what go-rtmp writes: one-byte basic headers
// (chunk stream ids 2-63), an extended timestamp only in type 0-2 headers,
// and our fixed outgoing chunk size. On anything else it stops tracking.
type wireTap struct {
	w       io.Writer
	frames  *frameTimes
	hist    *latencyHist
	video   int // chunk stream id of video messages
	chunk   int // outgoing chunk size
	broken  bool
	hdr     [16]byte
	hdrLen  int
	hdrWant int
	payload int // payload bytes left in the current chunk
	cur     *tapStream
	streams [64]tapStream
	csid    int
}

// tapStream is the state of one chunk stream.
type tapStream struct {
	msgLen int // length of its messages (RTMP 5.3.1.2.1)
	left   int // bytes of the current message not yet written
}

func (t *wireTap) Write(b []byte) (int, error) {
	n, err := t.w.Write(b)
	if !t.broken && n > 0 {
		t.follow(b[:n], time.Now())
	}
	return n, err
}

// follow advances the chunk parser over bytes written at now.
func (t *wireTap) follow(b []byte, now time.Time) {
	for len(b) > 0 && !t.broken {
		if t.payload > 0 {
			k := min(t.payload, len(b))
			t.payload -= k
			b = b[k:]
			if t.payload == 0 {
				t.endChunk(now)
			}
			continue
		}
		if t.hdrLen == 0 {
			t.startHeader(b[0])
		}
		k := min(t.hdrWant-t.hdrLen, len(b))
		copy(t.hdr[t.hdrLen:], b[:k])
		t.hdrLen += k
		b = b[k:]
		if t.hdrLen == t.hdrWant {
			t.endHeader(now)
		}
	}
}

// startHeader sizes the chunk header from its first byte.
func (t *wireTap) startHeader(b0 byte) {
	t.csid = int(b0 & 0x3f)
	if t.csid < 2 {
		t.broken = true
		return
	}
	t.hdrWant = 1 + headerSizes[b0>>6]
}

// endHeader reads a complete header; it may first ask for the extended
// timestamp.
func (t *wireTap) endHeader(now time.Time) {
	f := t.hdr[0] >> 6
	if f < 3 && t.hdrWant == 1+headerSizes[f] && t.hdr[1] == 0xff && t.hdr[2] == 0xff && t.hdr[3] == 0xff {
		t.hdrWant += 4
		return
	}
	st := &t.streams[t.csid]
	if f <= 1 {
		st.msgLen = int(t.hdr[4])<<16 | int(t.hdr[5])<<8 | int(t.hdr[6])
	}
	if st.left == 0 {
		st.left = st.msgLen
	}
	t.cur = st
	t.payload = min(st.left, t.chunk)
	t.hdrLen = 0
	if t.payload == 0 {
		t.endChunk(now)
	}
}

// endChunk accounts a chunk's payload; the last chunk of a video message
// records that frame's latency.
func (t *wireTap) endChunk(now time.Time) {
	st := t.cur
	st.left -= min(st.left, t.chunk)
	if st.left > 0 || t.csid != t.video {
		return
	}
	if c, ok := t.frames.pop(); ok && !c.IsZero() {
		t.hist.record(now.Sub(c))
	}
}
