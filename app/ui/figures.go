package ui

import (
	"fmt"
	"time"

	"golive/outputs/dest"
)

// Honest figures of one destination over a stream, from the stats polled
// once a second: bytes and frames over the whole stream (a restart of the
// destination does not reset them), drops split into network drops (while
// connected: the connection was too slow) and drops while offline (nothing
// could be sent), time offline, the average bitrate over the last minute,
// and whether drops are happening now.

// recentWindow is how far back "happening now" looks.
const recentWindow = 10 * time.Second

type figureSample struct {
	at            time.Time
	bytes         uint64 // whole-stream total
	drops, frames uint64 // whole-stream network drops and frames sent
}

type figures struct {
	started time.Time
	lastAt  time.Time
	last    dest.Status
	seen    bool
	// base* carry the totals of earlier runs of the destination (its
	// handler's counters restart at zero when it is restarted).
	baseBytes, baseFrames, baseDropped uint64
	netDrops, offDrops                 uint64
	offline, liveTime                  time.Duration
	reconnects                         uint64
	samples                            []figureSample
	// record: a recording, whose drops are the disk's, not the network's.
	record bool
}

// add takes one status poll at now.
func (f *figures) add(now time.Time, st dest.Status) {
	if !f.seen {
		f.started, f.lastAt, f.seen = now, now, true
	}
	if st.Kind != "" {
		f.record = st.Kind == "record"
	}
	if st.Bytes < f.last.Bytes || st.FramesSent < f.last.FramesSent || st.Dropped < f.last.Dropped {
		f.baseBytes += f.last.Bytes
		f.baseFrames += f.last.FramesSent
		f.baseDropped += f.last.Dropped
		f.last = dest.Status{State: f.last.State}
	}
	dt := now.Sub(f.lastAt)
	dropped := st.Dropped - f.last.Dropped
	if st.State == dest.StateLive && f.last.State == dest.StateLive {
		f.netDrops += dropped
	} else {
		f.offDrops += dropped
	}
	// The time since the last poll counts as the state seen then.
	switch f.last.State {
	case dest.StateLive:
		f.liveTime += dt
	case dest.StateConnecting, dest.StateReconnecting, dest.StateFailed:
		f.offline += dt
	}
	if st.Reconnects > f.last.Reconnects {
		f.reconnects += st.Reconnects - f.last.Reconnects
	}
	f.last, f.lastAt = st, now
	f.samples = append(f.samples, figureSample{at: now, bytes: f.bytes(), drops: f.netDrops, frames: f.frames()})
	cut := 0
	for cut < len(f.samples)-1 && now.Sub(f.samples[cut+1].at) >= time.Minute {
		cut++
	}
	f.samples = f.samples[cut:]
}

func (f *figures) bytes() uint64  { return f.baseBytes + f.last.Bytes }
func (f *figures) frames() uint64 { return f.baseFrames + f.last.FramesSent }

// avgKbps is the average bitrate over the last minute (or since the
// stream began, when shorter).
func (f *figures) avgKbps() float64 {
	if len(f.samples) < 2 {
		return 0
	}
	a, b := f.samples[0], f.samples[len(f.samples)-1]
	dt := b.at.Sub(a.at).Seconds()
	if dt <= 0 {
		return 0
	}
	return float64(b.bytes-a.bytes) * 8 / dt / 1000
}

// recentLevel colours the network drops of the last ten seconds: the
// figure is red only while dropping happens, not for the rest of the
// stream after one bad minute.
func (f *figures) recentLevel() level {
	if len(f.samples) < 2 {
		return levelNormal
	}
	b := f.samples[len(f.samples)-1]
	a := b
	for i := len(f.samples) - 1; i >= 0 && b.at.Sub(f.samples[i].at) <= recentWindow; i-- {
		a = f.samples[i]
	}
	drops := b.drops - a.drops
	return ratioLevel(drops, drops+b.frames-a.frames)
}

// dropText is "network drops N (x.x%)"; a recording's are "drops": what
// the disk could not take in time.
func (f *figures) dropText() string {
	what := "network drops "
	if f.record {
		what = "drops "
	}
	return what + formatRatio(f.netDrops, f.netDrops+f.frames())
}

// offlineText says how long the destination was offline, "" when never.
func (f *figures) offlineText() string {
	if f.offline < time.Second {
		return ""
	}
	return "offline " + formatDuration(f.offline)
}

// summary is the one-line account of the destination's stream, kept on
// its row after End Stream.
func (f *figures) summary() string {
	if !f.seen {
		return ""
	}
	s := fmt.Sprintf("Last stream: live %s, %s sent, %s", formatDuration(f.liveTime),
		formatBytes(f.bytes()), f.dropText())
	if t := f.offlineText(); t != "" {
		s += ", " + t
	}
	if f.reconnects > 0 {
		s += fmt.Sprintf(", %d reconnects", f.reconnects)
	}
	return s
}

// formatDuration prints a duration as M:SS or H:MM:SS.
func formatDuration(d time.Duration) string {
	t := int(d.Round(time.Second).Seconds())
	if t >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", t/3600, t/60%60, t%60)
	}
	return fmt.Sprintf("%d:%02d", t/60, t%60)
}

// formatBytes prints a byte count in kB, MB or GB.
func formatBytes(n uint64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	default:
		return fmt.Sprintf("%.0f kB", float64(n)/1e3)
	}
}

// dropFigures are network drops summed over destinations.
type dropFigures struct {
	drops, frames uint64
	level         level
}

// networkDrops sums the network drops of the current stream; the level
// is the worst of the destinations' last ten seconds.
func (l *destList) networkDrops() dropFigures {
	var d dropFigures
	for _, f := range l.figs {
		if f.record {
			continue // a recording has no network
		}
		d.drops += f.netDrops
		d.frames += f.frames()
		d.level = max(d.level, f.recentLevel())
	}
	return d
}

// uploadFigures adds up the live bitrates of the network destinations:
// to this machine (isLoopback) or beyond it. Recordings are neither.
func (l *destList) uploadFigures(st Stats) uploadFigures {
	var u uploadFigures
	for _, o := range st.Outputs {
		if o.Kind == "record" {
			continue
		}
		if r := l.row(o.Name); r != nil && isLoopback(r.d) {
			u.local += o.BitrateKbps
		} else {
			u.upload += o.BitrateKbps
		}
	}
	return u
}
