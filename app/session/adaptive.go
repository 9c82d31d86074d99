package session

import (
	"time"

	"golive/app/profile"
	"golive/outputs/dest"
)

// Adaptive bitrate: a destination alone on an encoder of its own (with
// Output.Adaptive) sets that encoder's bitrate from what its path carries,
// instead of dropping frames. The controller below decides from samples
// of the destination's path (dest.PathSample): the rate its peer
// acknowledged, and the backlog (media in the destination's queue plus
// bytes in the socket not yet acknowledged, in time at that rate).
//
//   - Down within about a second of the backlog growing past
//     adaptBacklogHigh in two readings in a row (or a dropped frame, or
//     a backlog past adaptBacklogLimit): to adaptSettle of the video
//     the path carried (its rate minus audio and muxing overhead), or
//     adaptDrain of it while the backlog is over adaptDrainAbove, then up
//     to the settle level once the backlog is under adaptBacklogHigh.
//   - Up gradually: after a hold without congestion (adaptHoldFirst at
//     first), by adaptClimb each second, back to the configured bitrate.
//     A congestion within adaptProbe of a raise (a smaller backlog then
//     counts) doubles the hold (up to adaptHoldMax), so a steady
//     bottleneck is probed ever more rarely; delivering more than the path
//     carried before resets it.
//   - Never below the floor (Floor), which the profile and the stats show.
//
// A path that measures itself says more than the bytes it took
// (dest.PathFigures). WHIP's congestion controller estimates what the
// path carries (GCC on TWCC feedback): an estimate whose adaptHeadroom
// share, less audio and overhead, is under the target counts as a
// congestion in two readings in a row, and the estimate is then what
// the path carried (the target goes to adaptSettle of its video share);
// a raise never passes that share. SRT acknowledges what arrived (Acked, Unacked: its send buffer, as
// TCP's backlog) and counts what was lost on the way: more than
// adaptLossHigh of the packets lost in two readings in a row is a
// congestion too, and the path then carried what it acknowledged less
// that share (a live-mode receiver acknowledges past the packets it
// gave up waiting for).
const (
	adaptTick         = 250 * time.Millisecond
	adaptWindow       = time.Second
	adaptBacklogHigh  = 300 * time.Millisecond
	adaptBacklogLow   = 150 * time.Millisecond
	adaptBacklogProbe = 100 * time.Millisecond
	adaptDrainAbove   = 500 * time.Millisecond
	adaptBacklogLimit = time.Second
	adaptDrain        = 0.7
	adaptSettle       = 0.85
	adaptClimb        = 1.08
	adaptProbeClimb   = 1.04
	adaptOverhead     = 0.97 // share of the bytes that is media (FLV/RTMP headers)
	adaptHoldFirst    = 10 * time.Second
	adaptHoldMax      = 60 * time.Second
	adaptStep         = time.Second
	adaptProbe        = 5 * time.Second
	adaptLossHigh     = 0.10 // share of packets lost (GCC's loss-based decrease starts there too)
	adaptHeadroom     = 0.9  // share of a path's own estimate the video may take
)

// Floor is the lowest bitrate an adaptive encoder configured at bps goes
// down to (profile.AdaptiveFloor: 30 %, at least 200 kb/s).
func Floor(bps int) int { return profile.AdaptiveFloor(bps) }

// abr is the controller of one adaptive encoder. Its decisions depend
// only on the samples given to step (tests feed them with their own
// clock).
type abr struct {
	configured, floor int
	// audio is the audio bitrate sharing the path (bps).
	audio  int
	target int
	// win holds the path readings of the last adaptWindow or so.
	win pathWindow
	// lastDown, lastUp: the last changes; calmSince: the last congestion.
	lastDown, lastUp, calmSince time.Time
	// draining: the target is under the settle level until the backlog
	// is gone.
	draining bool
	// carried is the video rate the path carried at the last congestion
	// (bps); climbing past it resets hold.
	carried int
	hold    time.Duration
	// grew is the last reading's backlog when it grew past its limit (see
	// confirmed), else 0.
	grew time.Duration
	// soft: the last reading saw the estimate under the target or a
	// loss past adaptLossHigh (see confirmed).
	soft bool
	// delivered and backlog are the last sample's figures (for the log).
	delivered   float64
	lastBacklog time.Duration
}

func newABR(configured, audio int, now time.Time) *abr {
	return &abr{configured: configured, floor: Floor(configured), audio: audio, target: configured,
		calmSince: now, hold: adaptHoldFirst}
}

// step takes one sample and returns the new target, or 0 to keep it.
func (a *abr) step(s dest.PathSample) int {
	rd, ok := a.win.add(s)
	if !ok {
		return 0
	}
	delivered, backlog := rd.delivered, rd.backlog
	a.delivered, a.lastBacklog = delivered, backlog
	// carries is what the path says it carries: its own estimate when it
	// has one, else what its peer acknowledged.
	carries := delivered
	if rd.estimate > 0 {
		carries = rd.estimate
	}
	// Right after a raise, a smaller backlog that grows is enough.
	probing := !a.lastUp.IsZero() && s.At.Sub(a.lastUp) < adaptProbe
	grew := rd.congested(adaptBacklogHigh) || (probing && rd.congested(adaptBacklogProbe))
	low := rd.loss > adaptLossHigh || (rd.estimate > 0 && a.ceiling(rd.estimate) < a.target*19/20)
	congested := a.confirmed(rd, grew, low)
	next := a.target
	switch {
	case congested:
		rate := min(delivered, carries)
		if rd.loss > adaptLossHigh {
			// A receiver acknowledges past what it gave up waiting for.
			rate *= 1 - rd.loss
		}
		next = a.down(s.At, rate, backlog)
	case a.draining && backlog < adaptBacklogHigh && s.At.Sub(a.lastDown) >= adaptStep:
		a.draining = false
		next = max(a.target, int(float64(a.carried)*adaptSettle))
	case !a.draining && s.At.Sub(a.calmSince) >= a.hold && a.target < a.configured:
		next = a.up(s.At, carries)
		if rd.estimate > 0 {
			next = min(next, max(a.target, a.ceiling(rd.estimate)))
		}
	}
	next = max(a.floor, min(a.configured, next))
	if next == a.target {
		return 0
	}
	a.target = next
	return next
}

// ceiling is the video bitrate a path estimated to carry bps takes with
// headroom: adaptHeadroom of its video share.
func (a *abr) ceiling(bps float64) int {
	return int(float64(a.video(bps)) * adaptHeadroom)
}

// confirmed reports whether a reading that looks congested (hit) is: a
// dropped frame or a backlog past adaptBacklogLimit at once, a backlog
// that grew only when the reading before saw it too and it is not
// draining (at least 3/4 of that reading's). The path's own signals
// (low: an estimate under the target, a loss past adaptLossHigh) count
// alike only in two readings in a row. A machine short of
// CPU stalls the sender, the peer or a hop for a moment: the backlog of
// one reading jumps and the next one has drained it, while a path that
// cannot carry the stream keeps it growing. Counting such a moment as a
// congestion lowered the target under what the path carried and doubled
// the hold at each raise, down to the floor on a path with room to spare.
func (a *abr) confirmed(rd pathReading, hit, low bool) bool {
	sure := rd.dropped || rd.backlog > adaptBacklogLimit
	grew := hit && !sure
	was := a.grew > 0 && rd.backlog >= a.grew*3/4
	a.grew = 0
	if grew {
		a.grew = rd.backlog
	}
	soft := low && !sure
	wasSoft := a.soft
	a.soft = soft
	return sure || (grew && was) || (soft && wasSoft)
}

// up returns the target raised at now (or unchanged when the last raise
// is too recent): by adaptClimb each adaptStep, and, near what the path
// carried at the last congestion, by adaptProbeClimb every other step
// until it delivers more than that.
func (a *abr) up(now time.Time, delivered float64) int {
	if a.carried > 0 && a.video(delivered) > a.carried {
		a.hold, a.carried = adaptHoldFirst, 0 // the path carries more now
	}
	factor, every := adaptClimb, adaptStep
	if a.carried > 0 && a.target >= a.carried*9/10 {
		factor, every = adaptProbeClimb, 2*adaptStep
	}
	if now.Sub(a.lastUp) < every {
		return a.target
	}
	a.lastUp = now
	return int(float64(a.target) * factor)
}

// down handles a congestion at now: the target goes under what the path
// carried, at most once per adaptStep.
func (a *abr) down(now time.Time, delivered float64, backlog time.Duration) int {
	a.calmSince = now
	if !a.lastUp.IsZero() && now.Sub(a.lastUp) < adaptProbe {
		a.hold = min(2*a.hold, adaptHoldMax) // a raise the path could not carry
		a.lastUp = time.Time{}
	}
	if now.Sub(a.lastDown) < adaptStep {
		return a.target
	}
	a.lastDown = now
	a.carried = a.video(delivered)
	factor := adaptSettle
	if backlog > adaptDrainAbove {
		factor, a.draining = adaptDrain, true
	}
	return min(a.target, int(float64(a.carried)*factor))
}

// video is the share of a path's rate bps left for video.
func (a *abr) video(bps float64) int {
	return max(0, int(bps*adaptOverhead)-a.audio)
}

// pathWindow holds the path samples of a destination over the last
// adaptWindow or so: the adaptive and the fallback controllers read their
// destination's path through it.
type pathWindow struct {
	samples []dest.PathSample
}

// pathReading is what a window of samples says of the path.
type pathReading struct {
	at time.Time
	// delivered is the rate the peer acknowledged (bps).
	delivered float64
	// backlog is what waited at the last sample, first at the first one
	// (in time at the delivered rate).
	backlog, first time.Duration
	// dropped: the destination's queue dropped video in the window;
	// dropping since the sample before the last one.
	dropped, dropping bool
	// estimate is the path's own estimate at the last sample (bps, 0:
	// none); loss the share of the packets sent in the window that were
	// lost.
	estimate, loss float64
}

// add takes one sample; false while the window is too short to read
// (or the destination is not live: a new connection is measured afresh).
func (w *pathWindow) add(s dest.PathSample) (pathReading, bool) {
	if !s.Live || (len(w.samples) > 0 && (s.Acked < w.samples[len(w.samples)-1].Acked ||
		s.Sent < w.samples[len(w.samples)-1].Sent)) {
		w.reset()
	}
	if !s.Live {
		return pathReading{}, false
	}
	dropping := len(w.samples) > 0 && s.Dropped > w.samples[len(w.samples)-1].Dropped
	w.samples = append(w.samples, s)
	for len(w.samples) > 2 && s.At.Sub(w.samples[1].At) >= adaptWindow {
		w.samples = w.samples[1:]
	}
	first := w.samples[0]
	span := s.At.Sub(first.At)
	if span < adaptWindow/2 {
		return pathReading{}, false
	}
	delivered := float64(s.Acked-first.Acked) * 8 / span.Seconds()
	loss := 0.0
	if s.Sent > first.Sent && s.Lost >= first.Lost {
		loss = min(1, float64(s.Lost-first.Lost)/float64(s.Sent-first.Sent))
	}
	return pathReading{at: s.At, delivered: delivered, backlog: backlog(s, delivered),
		first: backlog(first, delivered), dropped: s.Dropped > first.Dropped, dropping: dropping,
		estimate: float64(s.Estimate), loss: loss}, true
}

// reset forgets the samples (the path changed).
func (w *pathWindow) reset() { w.samples = w.samples[:0] }

// congested reports whether the path did not carry what was sent: a
// dropped frame, a backlog over adaptBacklogLimit, or one that grew past
// high.
func (r pathReading) congested(high time.Duration) bool {
	grew := r.backlog > r.first+50*time.Millisecond
	return r.dropped || r.backlog > adaptBacklogLimit || (grew && r.backlog > high)
}

// backlog is what waits to be carried, in time at rate bps.
func backlog(s dest.PathSample, bps float64) time.Duration {
	if bps < 1000 {
		bps = 1000
	}
	return s.Queue + time.Duration(float64(s.Unacked)*8/bps*float64(time.Second))
}
