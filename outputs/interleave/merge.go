// Package interleave puts the audio and video packets of one destination
// in decode-timestamp order before they are written.
//
// The encoders deliver video a few milliseconds after its capture and
// audio tens of milliseconds after (the AAC encoder's look-ahead, the
// capture chunk), so the fan-out queue holds them in arrival order, not
// timestamp order. A server that stamps media by arrival (MediaMTX, then
// its RTSP readers) turns that skew into an audio delay. Merging by DTS
// holds each frame of video until the audio seen reaches its instant less
// VideoLead (at most VideoHold) and each audio packet until the video of
// its instant has been seen (at most AudioHold, about one frame interval).
package interleave

import (
	"time"

	"golive/media/unit"
)

// Defaults.
const (
	// DefaultVideoHold bounds how long a video frame waits for the audio
	// of its instant: past it (the microphone stalled) video goes alone.
	DefaultVideoHold = 500 * time.Millisecond
	// DefaultAudioHold bounds how long audio waits for video (video
	// dropped until the next key frame, or none).
	DefaultAudioHold = 33 * time.Millisecond
	// DefaultMaxPending bounds the packets held.
	DefaultMaxPending = 512
)

// Merger is a two-way merge of one destination's audio and video by decode
// timestamp. Push packets as they come, Pop what is due. It allocates only
// while its buffers grow to the packets held at once. One goroutine uses
// it.
type Merger struct {
	// Audio and Video tell which tracks the destination carries: a track
	// it does not carry never holds the other.
	Audio, Video bool
	// VideoHold, AudioHold and MaxPending are the bounds (defaults above).
	VideoHold, AudioHold time.Duration
	MaxPending           int
	// VideoLead is how far a frame's timestamp may run ahead of the audio
	// seen (the end of the latest audio packet, where the next one
	// starts) when it is let go. Issue 16 allows video to lead audio on
	// the wire by less than one frame interval: use MaxLead. Zero: a
	// frame waits until the audio seen covers its instant; negative: until
	// it reaches that far past it.
	VideoLead time.Duration

	audio, video fifo
	// audioEnd is the end (DTS + Duration) of the latest audio pushed,
	// videoDTS the DTS of the latest video pushed.
	audioEnd, videoDTS   time.Duration
	seenAudio, seenVideo bool
	// audioWake is what WakeForAudio last told the reader.
	audioWake bool
	timer     *time.Timer // Next's wake-up at the next deadline
}

type entry struct {
	p  *unit.Packet
	at time.Time // when it was pushed
}

// Push adds a packet received at now. Packets of a kind other than audio
// and video are treated as video.
func (m *Merger) Push(p *unit.Packet, now time.Time) {
	if p.Kind() == unit.KindAudio {
		m.audio.push(entry{p, now})
		m.audioEnd = max(m.audioEnd, p.DTS+max(p.Duration, 0))
		m.seenAudio = true
		return
	}
	m.video.push(entry{p, now})
	m.videoDTS = max(m.videoDTS, p.DTS)
	m.seenVideo = true
}

// Pop returns the next packet due at now, or nil when every held packet
// still waits for the other track.
func (m *Merger) Pop(now time.Time) *unit.Packet {
	a, v := m.audio.head(), m.video.head()
	switch {
	case a != nil && v != nil:
		// Ties go to audio: the sound of an instant before its picture.
		if v.p.DTS < a.p.DTS {
			return m.video.pop()
		}
		return m.audio.pop()
	case v != nil:
		if m.videoDue(v, now) {
			return m.video.pop()
		}
	case a != nil:
		if m.audioDue(a, now) {
			return m.audio.pop()
		}
	}
	return nil
}

// videoDue tells whether a held frame may go with no audio behind it: the
// audio seen (and sent) reaches the frame's instant less VideoLead, or it
// waited long enough. Audio timestamps only grow, so every audio packet
// still to come starts at audioEnd or later: the frame leads each of them
// by at most VideoLead. A server that maps timestamps to its clock by
// the arrival of each track (MediaMTX) then sees video at most VideoLead
// earlier than audio.
func (m *Merger) videoDue(v *entry, now time.Time) bool {
	return !m.Audio || (m.seenAudio && v.p.DTS-m.audioEnd <= m.VideoLead) ||
		now.Sub(v.at) >= m.videoHold() || m.pending() > m.maxPending()
}

// audioDue is videoDue for audio: video of its instant was seen.
func (m *Merger) audioDue(a *entry, now time.Time) bool {
	return !m.Video || (m.seenVideo && m.videoDTS >= a.p.DTS) ||
		now.Sub(a.at) >= m.audioHold() || m.pending() > m.maxPending()
}

// Deadline returns when the packet at the head of the merge is due at the
// latest (its hold runs out), or false when nothing is held.
func (m *Merger) Deadline() (time.Time, bool) {
	a, v := m.audio.head(), m.video.head()
	switch {
	case a != nil && v != nil:
		return time.Time{}, true // due now
	case v != nil:
		return v.at.Add(m.videoHold()), true
	case a != nil:
		return a.at.Add(m.audioHold()), true
	}
	return time.Time{}, false
}

// Drain returns the held packets one by one in timestamp order, whatever
// their holds (the stream ended), then nil.
func (m *Merger) Drain() *unit.Packet {
	a, v := m.audio.head(), m.video.head()
	switch {
	case a != nil && (v == nil || a.p.DTS <= v.p.DTS):
		return m.audio.pop()
	case v != nil:
		return m.video.pop()
	}
	return nil
}

// WaitsForAudio tells whether video is held for audio that has not come
// yet: the caller should be woken by the next audio packet.
func (m *Merger) WaitsForAudio() bool { return m.Audio && m.video.n > 0 && m.audio.n == 0 }

// Held returns how many packets wait.
func (m *Merger) Held() int { return m.pending() }

func (m *Merger) pending() int { return m.audio.n + m.video.n }

func (m *Merger) videoHold() time.Duration { return orDefault(m.VideoHold, DefaultVideoHold) }
func (m *Merger) audioHold() time.Duration { return orDefault(m.AudioHold, DefaultAudioHold) }

func (m *Merger) maxPending() int {
	if m.MaxPending > 0 {
		return m.MaxPending
	}
	return DefaultMaxPending
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// fifo is a growable ring buffer of entries.
type fifo struct {
	buf   []entry
	head0 int
	n     int
}

func (f *fifo) push(e entry) {
	if f.n == len(f.buf) {
		grown := make([]entry, max(16, 2*len(f.buf)))
		for i := range f.n {
			grown[i] = f.buf[(f.head0+i)%len(f.buf)]
		}
		f.buf, f.head0 = grown, 0
	}
	f.buf[(f.head0+f.n)%len(f.buf)] = e
	f.n++
}

func (f *fifo) head() *entry {
	if f.n == 0 {
		return nil
	}
	return &f.buf[f.head0]
}

func (f *fifo) pop() *unit.Packet {
	p := f.buf[f.head0].p
	f.buf[f.head0] = entry{}
	f.head0 = (f.head0 + 1) % len(f.buf)
	f.n--
	return p
}

// FrameInterval is the video's frame interval, the audio hold of a
// destination carrying it (DefaultAudioHold when unknown).
func FrameInterval(v *unit.VideoParams) time.Duration {
	if v == nil || v.FPS <= 0 {
		return DefaultAudioHold
	}
	return time.Second / time.Duration(v.FPS)
}

// ArrivalLead is the VideoLead of a protocol whose servers may stamp
// media by arrival and carry no clock mapping of ours to their readers:
// RTMP (no RTCP sender report) and WHIP, both into MediaMTX (issue 16).
// There every millisecond video leaves sooner is a millisecond of audio
// lag at the server's readers, and AAC leaves its encoder 64 ms after its
// timestamp: a frame goes once the audio sent reaches 10 ms past its
// instant. Measured with the 720p30 test source, RTMP into MediaMTX read
// back over RTSP (outputs/rtmp TestLipSyncAtMediaMTX, limit ±20 ms;
// TestRTMPWireOrder):
//
//	VideoLead                  beep - flash     capture→wire p50
//	-21 ms (issue 16's rule)   -1 to -2 ms      90 ms
//	-10 ms                     +9 to +11 ms     78-82 ms
//	0                          +16 to +21 ms    66-68 ms
//	MaxLead (+32 ms)           +52 ms           35 ms
//
// and WHIP into MediaMTX (outputs/whip TestWHIPToMediaMTX, limit ±40 ms):
// -10 ms under issue 16's rule, -6 to +5 ms at ArrivalLead, +25 ms at
// MaxLead.
const ArrivalLead = -10 * time.Millisecond

// LeadMargin is how much less than one frame interval MaxLead allows.
const LeadMargin = time.Millisecond

// MaxLead is the largest VideoLead issue 16 allows for this video: one
// frame interval less LeadMargin (video may lead audio on the wire by
// strictly less than a frame interval).
func MaxLead(v *unit.VideoParams) time.Duration {
	return FrameInterval(v) - LeadMargin
}
