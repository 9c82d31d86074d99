package session

import (
	"slices"
	"testing"
	"time"

	"golive/outputs/dest"
)

// simPath is a bottleneck for the controller's unit tests: an encoder
// that follows its target within about a second, a socket buffer of
// sndbuf bytes drained at capacity bps, and a destination queue that
// drops video (until a key frame: emptied) past 900 ms.
type simPath struct {
	now             time.Time
	capacity        float64 // bps; 0: unlimited
	audio, produced float64 // bps
	socket, queue   float64 // bytes
	sndbuf          float64
	written, acked  float64
	dropped         uint64
	targets         []int // the target after each tick
	// stallEvery: every so many ticks the path carries nothing for one
	// tick (a peer or hop starved of CPU), then all it holds (0: never).
	stallEvery, ticks int
}

func (p *simPath) tick(a *abr, dt time.Duration) {
	sec := dt.Seconds()
	// The encoder closes 40 % of the gap to its target each 250 ms.
	p.produced += (float64(a.target) - p.produced) * 0.4
	p.queue += (p.produced + p.audio) * sec / 8
	if room := p.sndbuf - p.socket; room > 0 {
		n := min(room, p.queue)
		p.queue -= n
		p.socket += n
		p.written += n
	}
	out := p.socket
	if p.capacity > 0 {
		out = min(out, p.capacity*sec/8)
	}
	p.ticks++
	if p.stallEvery > 0 && p.ticks%p.stallEvery == 0 {
		out = 0
	}
	p.socket -= out
	p.acked += out
	queueTime := time.Duration(p.queue * 8 / (p.produced + p.audio) * float64(time.Second))
	if queueTime > 900*time.Millisecond {
		p.dropped++
		p.queue = 0
	}
	p.now = p.now.Add(dt)
	a.step(dest.PathSample{At: p.now, Live: true, Written: uint64(p.written), Acked: uint64(p.acked), Unacked: uint64(p.socket),
		Queue: queueTime, Dropped: p.dropped})
	p.targets = append(p.targets, a.target)
}

// run ticks for d and returns the targets of that stretch.
func (p *simPath) run(a *abr, d time.Duration) []int {
	from := len(p.targets)
	for range int(d / adaptTick) {
		p.tick(a, adaptTick)
	}
	return p.targets[from:]
}

func newSim(capacity float64) (*simPath, *abr) {
	now := time.Unix(1000, 0)
	p := &simPath{now: now, capacity: capacity, audio: 128_000, produced: 2_500_000, sndbuf: 128 * 1024}
	return p, newABR(2_500_000, 128_000, now)
}

// TestAdaptiveControllerSettles: behind a steady 1.5 Mbit/s bottleneck a
// 2.5 Mbit/s encoder is under 1.4 Mbit/s within 2 s, settles without
// oscillating (no change from 4 s until the first raise is tried, 10 s
// after the last congestion), drops nothing after the first
// seconds (fewer than the same encoder fixed at 2.5 Mbit/s), and probes the
// path ever more rarely over two minutes.
func TestAdaptiveControllerSettles(t *testing.T) {
	p, a := newSim(1_500_000)
	first := p.run(a, 2*time.Second)
	if last := first[len(first)-1]; last > 1_400_000 {
		t.Fatalf("2 s behind 1.5 Mbit/s the target is %d, want ≤ 1.4 Mbit/s (targets %v)", last, first)
	}
	p.run(a, 2*time.Second)
	dropsEarly := p.dropped
	settled := p.run(a, 7*time.Second)
	lo, hi := slices.Min(settled), slices.Max(settled)
	t.Logf("settled between %d and %d bps; %d drops in the first 4 s", lo, hi, dropsEarly)
	if hi > 1_400_000 || lo < 1_000_000 || hi != lo {
		t.Errorf("settled phase spans %d-%d bps, want one value in 1.0-1.4 Mbit/s", lo, hi)
	}
	if p.dropped != dropsEarly {
		t.Errorf("%d frames dropped once settled", p.dropped-dropsEarly)
	}
	fixed := &simPath{now: p.now, capacity: 1_500_000, audio: 128_000, produced: 2_500_000, sndbuf: 128 * 1024}
	off := newABR(2_500_000, 128_000, p.now)
	off.floor = off.configured // a fixed encoder
	fixed.run(off, 11*time.Second)
	if fixed.dropped <= p.dropped {
		t.Errorf("fixed encoder dropped %d, adaptive %d: want fewer adaptive", fixed.dropped, p.dropped)
	}
	// Two more minutes at the same bottleneck: raises are tried after a
	// hold that doubles each time one fails.
	long := p.run(a, 2*time.Minute)
	downs := 0
	for i := 1; i < len(long); i++ {
		if long[i] < long[i-1] {
			downs++
		}
	}
	t.Logf("over two minutes: %d lowerings, hold now %v, %d drops in all (fixed: %d in 11 s)", downs, a.hold, p.dropped, fixed.dropped)
	if downs > 8 || a.hold < 40*time.Second {
		t.Errorf("over two minutes at a steady bottleneck: %d lowerings, hold %v: the probing does not back off", downs, a.hold)
	}
	if slices.Max(long) > 1_550_000 {
		t.Errorf("a probe went up to %d bps behind 1.5 Mbit/s", slices.Max(long))
	}
}

// TestAdaptiveControllerRecovers: once the bottleneck is gone the target
// climbs back to the configured bitrate, gradually (at most +10 % a
// second), within half a minute.
func TestAdaptiveControllerRecovers(t *testing.T) {
	p, a := newSim(1_500_000)
	p.run(a, 10*time.Second)
	low := a.target
	p.capacity = 0
	var reached time.Duration
	for i, v := range p.run(a, 40*time.Second) {
		prev := low
		if i > 0 {
			prev = p.targets[len(p.targets)-40*4+i-1]
		}
		if float64(v) > 1.1*float64(prev)+1 {
			t.Fatalf("target jumped from %d to %d in one step", prev, v)
		}
		if v == a.configured && reached == 0 {
			reached = time.Duration(i+1) * adaptTick
		}
	}
	t.Logf("from %d bps back to %d in %v", low, a.configured, reached)
	if reached == 0 || reached > 30*time.Second {
		t.Errorf("target %d, 40 s after the bottleneck went (reached the configured bitrate after %v)", a.target, reached)
	}
}

// TestAdaptiveControllerFloor: a path far below the floor keeps the
// encoder at its floor (30 % of 2.5 Mbit/s), never under it; a sample
// while the destination is not live changes nothing.
func TestAdaptiveControllerFloor(t *testing.T) {
	p, a := newSim(300_000)
	targets := p.run(a, 20*time.Second)
	if lo := slices.Min(targets); lo != Floor(2_500_000) || lo != 750_000 {
		t.Errorf("lowest target %d, want the floor 750000", lo)
	}
	if got := a.step(dest.PathSample{At: p.now.Add(time.Second)}); got != 0 || len(a.win.samples) != 0 {
		t.Errorf("a sample while not live changed the target to %d (samples kept: %d)", got, len(a.win.samples))
	}
	if Floor(300_000) != 200_000 || Floor(150_000) != 150_000 {
		t.Errorf("floors %d, %d: want 200000, 150000", Floor(300_000), Floor(150_000))
	}
}

// TestAdaptiveControllerStalls: a path with room to spare whose peer
// stalls for a moment now and then (a machine short of CPU) is not read
// as congested: from the floor the target climbs back to the configured
// bitrate within 30 s, never lowered; a one-reading backlog does not
// lower it, a backlog that is still there at the next reading does.
func TestAdaptiveControllerStalls(t *testing.T) {
	for _, every := range []int{5, 8, 13} {
		p, a := newSim(0)
		a.target, p.produced, a.calmSince = a.floor, float64(a.floor), p.now.Add(-adaptHoldFirst)
		p.stallEvery = every
		targets := p.run(a, 30*time.Second)
		downs := 0
		for i := 1; i < len(targets); i++ {
			if targets[i] < targets[i-1] {
				downs++
			}
		}
		if a.target != a.configured || downs != 0 {
			t.Errorf("stalls every %v: target %d after 30 s from the floor, %d lowerings (hold %v); want %d, none",
				time.Duration(every)*adaptTick, a.target, downs, a.hold, a.configured)
		}
	}
	// Readings of a path as seen by step: the backlog grows past
	// adaptBacklogHigh once (no change), then twice in a row (down).
	a := newABR(2_500_000, 128_000, time.Unix(1000, 0))
	at, acked := time.Unix(1000, 0), uint64(0)
	sample := func(unacked uint64) int {
		at, acked = at.Add(adaptTick), acked+2_500_000/8/4
		return a.step(dest.PathSample{At: at, Live: true, Acked: acked, Written: acked + unacked, Unacked: unacked})
	}
	for i, c := range []struct {
		unacked uint64
		want    bool
	}{{0, false}, {0, false}, {0, false}, {0, false}, {150_000, false}, {0, false}, {0, false},
		{0, false}, {0, false}, {150_000, false}, {160_000, true}} {
		if got := sample(c.unacked) != 0; got != c.want {
			t.Errorf("reading %d (unacked %d): lowered %v, want %v (target %d)", i, c.unacked, got, c.want, a.target)
		}
	}
}
