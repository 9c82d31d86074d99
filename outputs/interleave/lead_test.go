package interleave

import (
	"testing"
	"time"

	"golive/media/unit"
)

// TestVideoLeadAtItsBound: with VideoLead = MaxLead (one frame interval
// less LeadMargin, from the stream's frame rate), a frame whose timestamp
// is one frame interval or more past the end of the audio seen (where the
// next audio packet starts) waits; one at MaxLead or less goes at once,
// after the audio before it.
func TestVideoLeadAtItsBound(t *testing.T) {
	for _, fps := range []int{25, 30, 60} {
		vp := &unit.VideoParams{FPS: fps}
		interval := time.Second / time.Duration(fps)
		if got := MaxLead(vp); got != interval-LeadMargin {
			t.Fatalf("%d fps: MaxLead %v, want %v", fps, got, interval-LeadMargin)
		}
		for _, c := range []struct {
			ahead   time.Duration // video DTS minus the end of the audio seen
			release bool
		}{
			{interval + time.Millisecond, false},
			{interval, false},                 // exactly one frame interval: waits
			{interval - 1, false},             // within LeadMargin of it: waits
			{interval - LeadMargin, true},     // the bound: released
			{interval - LeadMargin - 1, true}, // just below: released
			{0, true},
			{-aacDur, true},
		} {
			m := &Merger{Audio: true, Video: true, AudioHold: interval, VideoLead: MaxLead(vp)}
			now := time.Unix(100, 0)
			audio := &unit.Packet{Codec: unit.CodecAAC, DTS: time.Second, Duration: aacDur}
			m.Push(audio, now)
			video := &unit.Packet{Codec: unit.CodecH264, DTS: audio.DTS + aacDur + c.ahead, Duration: interval}
			m.Push(video, now)
			var out []*unit.Packet
			for p := m.Pop(now); p != nil; p = m.Pop(now) {
				out = append(out, p)
			}
			released := len(out) == 2 && out[1] == video
			if released != c.release {
				t.Errorf("%d fps, video %v past the audio: released %v, want %v (out %d)", fps, c.ahead, released, c.release, len(out))
			}
			if c.ahead >= 0 && (len(out) == 0 || out[0] != audio) {
				t.Errorf("%d fps, video %v past the audio: the earlier audio did not go first", fps, c.ahead)
			}
			// Held or not, the frame goes once the next audio packet
			// (which starts where the last one ended) is seen.
			if !released {
				m.Push(&unit.Packet{Codec: unit.CodecAAC, DTS: audio.DTS + aacDur, Duration: aacDur}, now)
				if c.ahead <= aacDur+MaxLead(vp) && drain(m, now) < 1 {
					t.Errorf("%d fps, video %v past the audio: still held after the next audio", fps, c.ahead)
				}
			}
		}
	}
}

// TestMergeWithLeadKeepsWireOrder: the capture-like arrivals of
// TestMergeOrdersLateAudio with VideoLead = MaxLead: no audio follows
// video more than one frame interval later, and video leaves a frame
// interval sooner than with no lead.
func TestMergeWithLeadKeepsWireOrder(t *testing.T) {
	vp := &unit.VideoParams{FPS: 30}
	worstOf := func(lead time.Duration) time.Duration {
		m := &Merger{Audio: true, Video: true, AudioHold: frame, VideoLead: lead}
		ev := arrivals(10*time.Second, true)
		out := run(m, ev)
		if len(out) != len(ev) {
			t.Fatalf("lead %v: %d packets out, %d in", lead, len(out), len(ev))
		}
		checkOrder(t, out)
		var worst time.Duration
		for _, s := range out {
			// (the first frames wait for the first audio whatever the
			// lead; the last ones have no later audio and wait their hold)
			if s.p.Kind() == unit.KindVideo && s.at >= 0 && s.p.DTS > audioAt && s.p.DTS < 10*time.Second-100*time.Millisecond {
				worst = max(worst, s.at-s.p.DTS)
			}
		}
		return worst
	}
	none, lead := worstOf(0), worstOf(MaxLead(vp))
	t.Logf("video leaves at most %v after its timestamp with no lead, %v with %v", none, lead, MaxLead(vp))
	if lead > none-MaxLead(vp)+aacDur {
		t.Errorf("with the lead video leaves up to %v after its time, want <= %v", lead, none-MaxLead(vp)+aacDur)
	}
}

// TestArrivalLeadWaitsPastTheInstant: with ArrivalLead (negative) a frame
// goes only once the audio seen reaches that far past its instant.
func TestArrivalLeadWaitsPastTheInstant(t *testing.T) {
	for _, c := range []struct {
		ahead   time.Duration // video DTS minus the end of the audio seen
		release bool
	}{
		{0, false},
		{ArrivalLead + 1, false},
		{ArrivalLead, true},
		{ArrivalLead - time.Millisecond, true},
	} {
		m := &Merger{Audio: true, Video: true, AudioHold: frame, VideoLead: ArrivalLead}
		now := time.Unix(100, 0)
		m.Push(&unit.Packet{Codec: unit.CodecAAC, DTS: time.Second, Duration: aacDur}, now)
		m.Push(&unit.Packet{Codec: unit.CodecH264, DTS: time.Second + aacDur + c.ahead, Duration: frame}, now)
		if got := drain(m, now) == 2; got != c.release {
			t.Errorf("video %v past the audio: released %v, want %v", c.ahead, got, c.release)
		}
	}
}
