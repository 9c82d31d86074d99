package ui

import (
	"errors"
	"time"
)

// tick reads one stats snapshot and shows it everywhere (once a second);
// while live it also sets the preview rate from what painting cost.
func (w *mainWindow) tick() {
	cpu := w.cpuSample()
	if w.live == nil {
		rate := int32(1)
		if w.monitor != nil {
			rate = monitorRate
		}
		w.rate.Store(rate)
		w.status.showIdle(cpu)
		w.writeLayoutReport()
		return
	}
	select {
	case <-w.live.Done():
		if w.phase == phaseLive {
			w.onEngineStopped()
		}
		return
	default:
	}
	st := w.live.Stats()
	w.last = st
	fps := w.pace.update(time.Now())
	w.rate.Store(int32(fps))
	w.dests.update(st)
	w.status.show(st, w.dests.uploadFigures(st), w.dests.networkDrops(), cpu)
	w.preview.showInfo(st, w.prof.Encoder, fps)
	setLabel(w.action.elapsed, formatElapsed(st.ElapsedS), levelNormal)
	if st.Error != "" {
		w.notices.Set("engine", "Engine error: "+st.Error, levelDanger)
	}
	w.updateTitle()
	w.updateTray()
	w.writeLayoutReport()
}

// tickFast refreshes the preview and the level meter, at the rate the
// pacer chose (at most maxPreviewFPS times a second), each only when its
// content changed.
func (w *mainWindow) tickFast() {
	if w.live == nil || w.phase != phaseLive {
		w.showMonitor()
		return
	}
	if w.preview.visible() {
		if img, ok := w.live.Preview(); ok {
			w.preview.setImage(img)
		}
	}
	w.sources.update(w.live.Stats())
}

// onEngineStopped handles a stream that ended by itself (a device gone,
// an encoder failure): the session is closed and the error shown.
func (w *mainWindow) onEngineStopped() {
	live := w.live
	err := live.Err()
	if err == nil {
		err = errors.New("the engine stopped unexpectedly")
	}
	w.phase = phaseEnding
	w.applyPhase()
	w.goAsync(func() func() {
		live.Close()
		return func() { w.onEnded(err) }
	})
}
