package interleave

import (
	"testing"
	"time"

	"golive/media/unit"
)

const (
	frame   = time.Second / 30
	aacDur  = 1024 * time.Second / 48000
	videoAt = 5 * time.Millisecond  // video reaches the queue 5 ms after its time
	audioAt = 57 * time.Millisecond // audio 57 ms after (as measured in issue 16)
)

type event struct {
	at time.Duration // arrival, from stream time zero
	p  *unit.Packet
}

// arrivals makes dur of 30 fps video and AAC audio, each arriving its
// latency after its timestamp, sorted by arrival.
func arrivals(dur time.Duration, audio bool) []event {
	var ev []event
	for t := time.Duration(0); t < dur; t += frame {
		ev = append(ev, event{t + videoAt, &unit.Packet{Codec: unit.CodecH264, DTS: t, PTS: t, Duration: frame}})
	}
	for t := time.Duration(0); audio && t < dur; t += aacDur {
		ev = append(ev, event{t + audioAt, &unit.Packet{Codec: unit.CodecAAC, DTS: t, PTS: t, Duration: aacDur}})
	}
	// insertion sort by arrival (small)
	for i := 1; i < len(ev); i++ {
		for j := i; j > 0 && ev[j].at < ev[j-1].at; j-- {
			ev[j], ev[j-1] = ev[j-1], ev[j]
		}
	}
	return ev
}

type sent struct {
	p  *unit.Packet
	at time.Duration
}

// run feeds the events, popping after each arrival and at each deadline.
func run(m *Merger, ev []event) []sent {
	t0 := time.Unix(1000, 0)
	var out []sent
	popAll := func(now time.Duration) {
		for p := m.Pop(t0.Add(now)); p != nil; p = m.Pop(t0.Add(now)) {
			out = append(out, sent{p, now})
		}
	}
	// deadlines that expire before until
	expire := func(until time.Duration) {
		for {
			at, ok := m.Deadline()
			if !ok || at.Sub(t0) >= until {
				return
			}
			popAll(at.Sub(t0))
		}
	}
	for _, e := range ev {
		expire(e.at)
		m.Push(e.p, t0.Add(e.at))
		popAll(e.at)
	}
	expire(time.Hour)
	for p := m.Drain(); p != nil; p = m.Drain() {
		out = append(out, sent{p, -1})
	}
	return out
}

// checkOrder fails when a video frame more than one frame interval later
// than an audio packet went out before it.
func checkOrder(t *testing.T, out []sent) {
	t.Helper()
	maxVideo := time.Duration(-1)
	for i, s := range out {
		if s.p.Kind() == unit.KindVideo {
			maxVideo = max(maxVideo, s.p.DTS)
			continue
		}
		if maxVideo > s.p.DTS+frame {
			t.Fatalf("message %d: audio %v sent after video %v", i, s.p.DTS, maxVideo)
		}
	}
}

func TestMergeOrdersLateAudio(t *testing.T) {
	m := &Merger{Audio: true, Video: true, AudioHold: frame}
	ev := arrivals(10*time.Second, true)
	out := run(m, ev)
	if len(out) != len(ev) {
		t.Fatalf("%d packets out, %d in", len(out), len(ev))
	}
	checkOrder(t, out)
	// Video waits for the audio of its instant: about the audio latency,
	// never the hold bound.
	var worst time.Duration
	for _, s := range out {
		// (the last frames have no later audio: they wait their hold)
		if s.p.Kind() == unit.KindVideo && s.at >= 0 && s.p.DTS < 10*time.Second-100*time.Millisecond {
			worst = max(worst, s.at-s.p.DTS)
		}
	}
	if worst > audioAt+aacDur+time.Millisecond {
		t.Errorf("video sent up to %v after its time, want <= %v", worst, audioAt+aacDur)
	}
	t.Logf("video leaves at most %v after its timestamp (audio arrives %v after)", worst, audioAt)
}

func TestMergeWithoutAudioHoldsNothing(t *testing.T) {
	m := &Merger{Video: true}
	ev := arrivals(time.Second, false)
	for _, s := range run(m, ev) {
		if s.at != s.p.DTS+videoAt {
			t.Fatalf("video %v held: sent at %v", s.p.DTS, s.at)
		}
	}
}

func TestMergeAudioStallReleasesVideo(t *testing.T) {
	// Audio stops after 1 s: video goes on, VideoHold late, in order.
	m := &Merger{Audio: true, Video: true, AudioHold: frame, VideoHold: 200 * time.Millisecond}
	var ev []event
	for _, e := range arrivals(3*time.Second, true) {
		if e.p.Kind() == unit.KindVideo || e.p.DTS < time.Second {
			ev = append(ev, e)
		}
	}
	out := run(m, ev)
	last := out[len(out)-1]
	if last.at < 0 || last.p.Kind() != unit.KindVideo {
		t.Fatalf("last video not released by its hold: %+v", last)
	}
	if late := last.at - last.p.DTS - videoAt; late != 200*time.Millisecond {
		t.Errorf("video held %v after audio stalled, want the 200ms hold", late)
	}
}

func TestMergeVideoGapReleasesAudio(t *testing.T) {
	// No video at all (dropped until a key frame): audio waits AudioHold.
	m := &Merger{Audio: true, Video: true, AudioHold: frame}
	var ev []event
	for _, e := range arrivals(time.Second, true) {
		if e.p.Kind() == unit.KindAudio {
			ev = append(ev, e)
		}
	}
	for _, s := range run(m, ev) {
		if s.at < 0 || s.at-s.p.DTS-audioAt > frame {
			t.Fatalf("audio %v held too long: sent at %v", s.p.DTS, s.at)
		}
	}
}

func TestMergeBounded(t *testing.T) {
	m := &Merger{Audio: true, Video: true, MaxPending: 8, VideoHold: time.Hour}
	now := time.Unix(0, 0)
	for i := range 100 {
		m.Push(&unit.Packet{Codec: unit.CodecH264, DTS: time.Duration(i) * frame}, now)
		drain(m, now)
		if m.Held() > 9 {
			t.Fatalf("%d packets held, bound 8", m.Held())
		}
	}
}

func TestMergeSteadyStateAllocatesNothing(t *testing.T) {
	m := &Merger{Audio: true, Video: true}
	v := &unit.Packet{Codec: unit.CodecH264, Duration: frame}
	a := &unit.Packet{Codec: unit.CodecAAC, Duration: aacDur}
	now := time.Unix(0, 0)
	step := func() {
		m.Push(v, now)
		m.Push(a, now)
		drain(m, now)
	}
	step()
	if n := testing.AllocsPerRun(1000, step); n != 0 {
		t.Errorf("%v allocations per frame", n)
	}
}

func BenchmarkMerge(b *testing.B) {
	m := &Merger{Audio: true, Video: true}
	v := &unit.Packet{Codec: unit.CodecH264, Duration: frame}
	a := &unit.Packet{Codec: unit.CodecAAC, Duration: aacDur}
	now := time.Unix(0, 0)
	b.ReportAllocs()
	for b.Loop() {
		m.Push(v, now)
		m.Push(a, now)
		drain(m, now)
	}
}

// drain pops everything due at now.
func drain(m *Merger, now time.Time) int {
	n := 0
	for m.Pop(now) != nil {
		n++
	}
	return n
}
