package session

import (
	"slices"
	"testing"
	"time"

	"golive/outputs/dest"
)

// selfPath is a bottleneck that measures itself, for the controller's
// unit tests: an encoder that follows its target as in simPath, a path
// of capacity bps (0: unlimited), and either a GCC-like estimate (WHIP:
// down to 0.85 of what arrived when the path is over capacity, else up
// 8 % a second to at most 1.5 times what arrived) or SRT-like figures
// (what the path carries acknowledged, the excess lost, a send buffer of
// unacknowledged bytes).
type selfPath struct {
	now             time.Time
	srt             bool
	capacity        float64
	audio, produced float64
	estimate        float64
	written         float64 // bytes
	sent, lost      float64 // packets
	targets         []int
	// spike, when set, is applied to the next sample only (a one-off
	// reading: a stalled sender or a burst of loss).
	spike func(*dest.PathSample)
}

func newSelfPath(srt bool, capacity float64) (*selfPath, *abr) {
	now := time.Unix(1000, 0)
	p := &selfPath{now: now, srt: srt, capacity: capacity, audio: 128_000, produced: 2_500_000, estimate: 3_750_000}
	return p, newABR(2_500_000, 128_000, now)
}

func (p *selfPath) tick(a *abr) {
	sec := adaptTick.Seconds()
	p.produced += (float64(a.target) - p.produced) * 0.4
	send := p.produced + p.audio
	carried := send
	if p.capacity > 0 {
		carried = min(send, p.capacity)
	}
	if carried < send {
		p.estimate = min(p.estimate, 0.85*carried)
	} else {
		p.estimate = max(p.estimate, min(p.estimate*1.02, 1.5*carried))
	}
	pkts := send * sec / 8 / 1316
	p.sent += pkts
	p.lost += pkts * (send - carried) / send
	p.written += send * sec / 8
	p.now = p.now.Add(adaptTick)
	s := dest.PathSample{At: p.now, Live: true, Written: uint64(p.written), Acked: uint64(p.written),
		Estimate: uint64(p.estimate)}
	if p.srt {
		// The receiver acknowledges what arrived and, in live mode,
		// what it gave up waiting for: all but the last tick's bytes
		// (the send buffer).
		s.Estimate, s.Acked = 0, uint64(p.written-send*sec/8)
		s.Unacked = uint64(send * sec / 8)
		s.Sent, s.Lost = uint64(p.sent), uint64(p.lost)
	}
	if p.spike != nil {
		p.spike(&s)
		p.spike = nil
	}
	a.step(s)
	p.targets = append(p.targets, a.target)
}

func (p *selfPath) run(a *abr, d time.Duration) []int {
	from := len(p.targets)
	for range int(d / adaptTick) {
		p.tick(a)
	}
	return p.targets[from:]
}

// TestAdaptiveFollowsThePathsOwnFigures: behind a 1.5 Mbit/s bottleneck
// a 2.5 Mbit/s encoder whose path measures itself, by a congestion
// controller's estimate (WHIP) or by acknowledgements and losses (SRT),
// is under 1.4 Mbit/s within 2 s, never under its floor, and settles
// where the path carries it (no loss, at most one change from 4 s until
// the first raise is tried); once the bottleneck is gone it climbs back
// to the configured bitrate within 40 s, never more than 10 % a second.
func TestAdaptiveFollowsThePathsOwnFigures(t *testing.T) {
	for _, srt := range []bool{false, true} {
		name := map[bool]string{false: "whip estimate", true: "srt loss"}[srt]
		p, a := newSelfPath(srt, 1_500_000)
		first := p.run(a, 2*time.Second)
		if last := first[len(first)-1]; last > 1_400_000 {
			t.Errorf("%s: 2 s behind 1.5 Mbit/s the target is %d, want ≤ 1.4 Mbit/s (targets %v)", name, last, first)
		}
		p.run(a, 2*time.Second)
		lost := p.lost
		settled := p.run(a, 7*time.Second)
		lo, hi := slices.Min(settled), slices.Max(settled)
		t.Logf("%s: 2 s: %d bps; settled between %d and %d bps (floor %d)", name, first[len(first)-1], lo, hi, a.floor)
		if lo < a.floor || hi > 1_400_000 || lo < 900_000 || p.lost-lost > 1 {
			t.Errorf("%s: settled phase %d-%d bps, %.0f packets lost: want 0.9-1.4 Mbit/s, above the floor %d, no loss",
				name, lo, hi, p.lost-lost, a.floor)
		}
		p.capacity = 0
		prev, reached := a.target, time.Duration(0)
		for i, v := range p.run(a, 40*time.Second) {
			if float64(v) > 1.1*float64(prev)+1 {
				t.Errorf("%s: target jumped from %d to %d in one step", name, prev, v)
			}
			if v == a.configured && reached == 0 {
				reached = time.Duration(i+1) * adaptTick
			}
			prev = v
		}
		t.Logf("%s: back to %d bps %v after the bottleneck went", name, a.configured, reached)
		if reached == 0 {
			t.Errorf("%s: target %d 40 s after the bottleneck went, want %d", name, a.target, a.configured)
		}
	}
}

// TestAdaptiveOwnFiguresNeedTwoReadings: on a path with room, one
// reading of a low estimate or of heavy loss (a sender or receiver
// stalled for a moment) does not lower the target; the same reading
// twice in a row does, and a clean path with an estimate above the
// target keeps the configured bitrate for a minute.
func TestAdaptiveOwnFiguresNeedTwoReadings(t *testing.T) {
	low := func(s *dest.PathSample) { s.Estimate = 600_000 }
	lossy := func(s *dest.PathSample) { s.Lost += s.Sent / 8 }
	for _, c := range []struct {
		name  string
		srt   bool
		spike func(*dest.PathSample)
	}{{"whip estimate", false, low}, {"srt loss", true, lossy}} {
		p, a := newSelfPath(c.srt, 0)
		if targets := p.run(a, time.Minute); slices.Min(targets) != a.configured {
			t.Errorf("%s: a clean path lowered the target to %d", c.name, slices.Min(targets))
		}
		for range 5 {
			p.spike = c.spike
			p.run(a, 2*time.Second)
		}
		if a.target != a.configured {
			t.Errorf("%s: one-reading spikes lowered the target to %d", c.name, a.target)
		}
		p.spike = c.spike
		p.tick(a)
		p.spike = c.spike
		p.tick(a)
		if a.target >= a.configured || a.target < a.floor {
			t.Errorf("%s: two readings in a row kept the target at %d, want lowered (not under %d)", c.name, a.target, a.floor)
		}
	}
}
