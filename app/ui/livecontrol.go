package ui

import (
	"errors"
	"fmt"
	"reflect"

	"golive/app/profile"
	"golive/app/session"
	"golive/outputs/dest"
)

// Live control from the destination rows: while live, each row can be
// stopped and started, and destinations can be added, edited and removed;
// the change reaches the running stream through Live's control calls
// (session.Session's), run one after another off Fyne's goroutine so
// that a destination's calls keep their order.

// inSession reports whether the running stream has the named destination
// and whether it is running (not stopped).
func (l *destList) inSession(name string) (known, active bool) {
	st, ok := l.w.last.output(name)
	if !ok {
		return false, false
	}
	return true, st.State != dest.StateStopped
}

// liveOp runs op on the live session for destination name, after the
// operations queued before it, then refreshes the window. Its error is
// shown on the destination's row.
func (l *destList) liveOp(name string, op func(Live) error) {
	live := l.w.live
	if live == nil || l.w.phase != phaseLive {
		return
	}
	l.pending[name]++
	if r := l.row(name); r != nil {
		r.updateControls()
	}
	if l.w.inlineOps {
		l.opDone(name, live, op(live))
		return
	}
	prev := l.lastOp
	mine := make(chan struct{})
	l.lastOp = mine
	l.w.goAsync(func() func() {
		if prev != nil {
			<-prev
		}
		err := op(live)
		close(mine)
		return func() { l.opDone(name, live, err) }
	})
}

// opDone shows the result of a live operation on its row.
func (l *destList) opDone(name string, live Live, err error) {
	if l.pending[name]--; l.pending[name] <= 0 {
		delete(l.pending, name)
	}
	if err != nil {
		l.opErrs[name] = controlError(name, err)
	} else {
		delete(l.opErrs, name)
	}
	if l.w.live == live && l.w.phase == phaseLive {
		l.w.last = live.Stats()
		l.update(l.w.last)
	}
	if r := l.row(name); r != nil {
		r.updateControls()
	}
}

// controlError says, for people, why a live change failed.
func controlError(name string, err error) string {
	switch {
	case errors.Is(err, session.ErrNeedsRestart):
		return fmt.Sprintf("%s needs an audio encoder this stream does not run: end the stream and go live again to start it.", name)
	case errors.Is(err, session.ErrNotLive):
		return "The stream has ended: go live again to start " + name + "."
	case errors.Is(err, session.ErrOutputExists):
		return "Another destination of the stream is already named " + name + ": rename one of them."
	}
	return fmt.Sprintf("Could not change %s while live: %v", name, err)
}

// startLive starts d on the running stream: again if it was stopped,
// added when the stream does not have it.
func (l *destList) startLive(d profile.Destination) {
	if known, _ := l.inSession(d.Name); known {
		l.liveOp(d.Name, func(s Live) error { return s.StartOutput(d.Name) })
		return
	}
	d = d.Clone()
	l.liveOp(d.Name, func(s Live) error { return s.AddOutput(d) })
}

// stopLive stops the named destination, leaving the others on air.
func (l *destList) stopLive(name string) {
	if _, active := l.inSession(name); active {
		l.liveOp(name, func(s Live) error { return s.StopOutput(name) })
	}
}

// putLive applies a saved destination to the running stream: old is what
// it was (zero for a new one). A renamed destination is removed and added
// again; an edited one restarts with its new settings.
func (l *destList) putLive(old, d profile.Destination) {
	if l.w.phase != phaseLive {
		return
	}
	known, _ := l.inSession(old.Name)
	d = d.Clone()
	if !l.videoNow(known, old, &d) {
		return
	}
	switch {
	case known && old.Name != d.Name:
		l.liveOp(old.Name, func(s Live) error { return s.RemoveOutput(old.Name) })
		if d.Enabled {
			l.liveOp(d.Name, func(s Live) error { return s.AddOutput(d) })
		}
	case known:
		l.liveOp(d.Name, func(s Live) error { return s.UpdateOutput(d) })
	case d.Enabled:
		l.liveOp(d.Name, func(s Live) error { return s.AddOutput(d) })
	}
}

// removeLive removes the named destination from the running stream.
func (l *destList) removeLive(name string) {
	if known, _ := l.inSession(name); known && l.w.phase == phaseLive {
		l.liveOp(name, func(s Live) error { return s.RemoveOutput(name) })
	}
}

// videoServer is implemented by live sessions that can tell whether a
// destination's rendition is one the running stream already encodes.
type videoServer interface {
	ServesVideo(d profile.Destination) bool
}

// servesVideo reports whether the running stream encodes d's video: d can
// then start or move to it while live.
func (l *destList) servesVideo(d profile.Destination) bool {
	if sameVideo(l.w.prof, d, profile.Destination{}) {
		return true // the main encoder always runs
	}
	vs, ok := l.w.live.(videoServer)
	return ok && vs.ServesVideo(d)
}

// videoNow handles a saved destination whose video needs an encoder the
// running stream does not have (session.ErrNeedsRestart): its new video
// waits for the next Go Live (the row says so) while it keeps streaming
// its current video with its other changes; a new one waits entirely.
// It reports whether the live change should go on with d.
func (l *destList) videoNow(known bool, old profile.Destination, d *profile.Destination) bool {
	delete(l.laterVideo, old.Name)
	delete(l.laterVideo, d.Name)
	if (known && sameVideo(l.w.prof, old, *d)) || l.servesVideo(*d) || !d.Enabled {
		return true
	}
	l.laterVideo[d.Name] = true
	if r := l.row(d.Name); r != nil {
		r.update(r.status)
	}
	if !known || old.Name != d.Name {
		if known {
			l.liveOp(old.Name, func(s Live) error { return s.RemoveOutput(old.Name) })
		}
		return false
	}
	d.Video = old.Clone().Video
	return !reflect.DeepEqual(old, *d)
}
