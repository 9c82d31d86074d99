package session

import (
	"time"

	"golive/outputs/dest"
)

// Fallback renditions: a destination whose encoder it cannot change (it
// shares it, or adaptive bitrate does not apply) and that has a fallback
// rendition (Output.Fallback) moves to that rendition's encoder when its
// path cannot carry its own, at a key frame and without reconnecting
// (dest.Handler.MoveTo); the shared encoder's bitrate never changes. The
// controller below decides from the same path readings as the adaptive
// one (pathWindow, pathReading.congested):
//
//   - Down: once Bad of the readings of the last Window were congested
//     (a dropped frame, a backlog over adaptBacklogLimit or growing past
//     adaptBacklogHigh, or, where the transport counts them (SRT), more
//     than adaptLossHigh of the packets lost).
//   - Back: after Recover without congestion on the fallback, the
//     destination tries its own rendition again. A return that congests
//     within Probe failed: the next wait doubles (up to MaxHold), so a
//     steady bottleneck is tried ever more rarely; one that holds resets
//     it.

// FallbackTiming shapes the fallback controller; a zero field takes its
// default.
type FallbackTiming struct {
	// Window and Bad: a destination falls back once Bad readings (4 a
	// second) of the last Window were congested (3 s, 6).
	Window time.Duration
	Bad    int
	// Recover is how long the path must stay calm before the destination
	// tries its own rendition again (30 s); Probe how long a return must
	// hold to count (10 s); MaxHold bounds the doubled wait (5 min).
	Recover, Probe, MaxHold time.Duration
}

// Fallback defaults (FallbackTiming).
const (
	fallbackWindow  = 3 * time.Second
	fallbackBad     = 6
	fallbackRecover = 30 * time.Second
	fallbackProbe   = 10 * time.Second
	fallbackMaxHold = 5 * time.Minute
)

func (t FallbackTiming) withDefaults() FallbackTiming {
	setIfZero := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	setIfZero(&t.Window, fallbackWindow)
	setIfZero(&t.Recover, fallbackRecover)
	setIfZero(&t.Probe, fallbackProbe)
	setIfZero(&t.MaxHold, fallbackMaxHold)
	if t.Bad <= 0 {
		t.Bad = fallbackBad
	}
	t.MaxHold = max(t.MaxHold, t.Recover)
	return t
}

// fbAction is what the controller decides at a reading.
type fbAction int

const (
	fbStay   fbAction = iota
	fbFall            // move to the fallback rendition
	fbReturn          // move back to the destination's own rendition
)

// fallbackCtl decides for one destination. Its decisions depend only on
// the samples given to step (tests feed them with their own clock).
type fallbackCtl struct {
	t   FallbackTiming
	win pathWindow
	// fallen: the destination reads its fallback.
	fallen bool
	// bad are the times of the congested readings within Window.
	bad []time.Time
	// calmSince is the last congestion (or move); returnedAt the last
	// return, while it is on probation.
	calmSince, returnedAt time.Time
	// hold is the calm needed before the next return.
	hold time.Duration
	// carried is the rate the path delivered when it fell back (bps).
	carried float64
}

func newFallbackCtl(t FallbackTiming) *fallbackCtl {
	t = t.withDefaults()
	return &fallbackCtl{t: t, hold: t.Recover}
}

// step takes one sample of the destination's path and says what to do.
func (f *fallbackCtl) step(s dest.PathSample) fbAction {
	rd, ok := f.win.add(s)
	if !ok {
		return fbStay
	}
	if f.calmSince.IsZero() {
		f.calmSince = rd.at
	}
	// A drop counts at the reading that saw it (not for the whole window).
	now := rd
	now.dropped = rd.dropping
	if now.congested(adaptBacklogHigh) || rd.loss > adaptLossHigh {
		f.calmSince = rd.at
		f.bad = append(f.bad, rd.at)
	}
	for len(f.bad) > 0 && rd.at.Sub(f.bad[0]) >= f.t.Window {
		f.bad = f.bad[1:]
	}
	if f.fallen {
		if rd.at.Sub(f.calmSince) < f.hold {
			return fbStay
		}
		f.fallen, f.returnedAt = false, rd.at
		f.moved(rd.at)
		return fbReturn
	}
	if !f.returnedAt.IsZero() && rd.at.Sub(f.returnedAt) >= f.t.Probe {
		f.returnedAt, f.hold = time.Time{}, f.t.Recover // the return held
	}
	if len(f.bad) < f.t.Bad {
		return fbStay
	}
	if !f.returnedAt.IsZero() { // the return did not hold
		f.hold = min(2*f.hold, f.t.MaxHold)
	}
	f.fallen, f.returnedAt, f.carried = true, time.Time{}, rd.delivered
	f.moved(rd.at)
	return fbFall
}

// moved starts the readings over after a move at now: the path now
// carries another rendition.
func (f *fallbackCtl) moved(now time.Time) {
	f.bad = f.bad[:0]
	f.calmSince = now
	f.win.reset()
}

// undo takes back the last decision (the move could not be made).
func (f *fallbackCtl) undo() {
	f.fallen = !f.fallen
	f.returnedAt = time.Time{}
}
