package ui

import (
	"runtime"
	"sync"

	"fyne.io/fyne/v2"
)

// Every hop from a goroutine to the window (a goAsync result, a remote
// control call, a tick, a timer) goes through onMain or onMainWait, never
// through fyne.Do or fyne.DoAndWait directly.
//
// Fyne's real driver runs those callbacks one at a time on its goroutine.
// Its test driver runs them at once on the caller's goroutine, so two
// goroutines could lay out widgets together and break Fyne's unguarded
// caches ("concurrent map read and map write" in the font metrics): uiMu
// serialises the callbacks under either driver (on the real one it is
// never contended).
//
// A callback may hop again (nested call). Under the test driver the
// nested hop runs on the goroutine that already holds uiMu, and locking
// again would deadlock. It is told apart from a hop of another goroutine
// without goroutine identity: a nested hop has runLocked on its own call
// stack, which another goroutine's stack never has (a goroutine started
// by a callback begins with a fresh stack). A nested hop runs inline, at
// once: already on Fyne's goroutine, holding uiMu. Only the slow path
// (uiMu busy) and onMainWait walk the stack, a few microseconds.

// uiMu is held while a hop's callback runs.
var uiMu sync.Mutex

// runLockedName is runLocked's name in stack frames.
const runLockedName = "golive/app/ui.runLocked"

// onMain runs fn on Fyne's goroutine without waiting for it (fyne.Do),
// never at the same time as another hop's callback.
func onMain(fn func()) {
	fyne.Do(func() { runLocked(fn) })
}

// onMainWait runs fn on Fyne's goroutine and returns once it has run
// (fyne.DoAndWait), never at the same time as another hop's callback.
// Called from a hop's callback, it runs fn at once (fyne.DoAndWait would
// wait for Fyne's goroutine, that is for itself, under the real driver).
func onMainWait(fn func()) {
	if insideHop() {
		fn()
		return
	}
	fyne.DoAndWait(func() { runLocked(fn) })
}

// runLocked runs fn holding uiMu, or inline if this goroutine holds it
// already (a nested hop). It must stay a frame of its own: insideHop
// looks for it on the stack.
//
//go:noinline
func runLocked(fn func()) {
	if !uiMu.TryLock() {
		if insideHop() {
			fn()
			return
		}
		uiMu.Lock()
	}
	defer uiMu.Unlock()
	fn()
}

// insideHop reports whether its caller's caller runs inside runLocked
// on this goroutine's stack.
func insideHop() bool {
	pcs := make([]uintptr, 64)
	for {
		// Skips runtime.Callers, insideHop and its caller.
		n := runtime.Callers(3, pcs)
		if n < len(pcs) {
			pcs = pcs[:n]
			break
		}
		pcs = make([]uintptr, 2*len(pcs))
	}
	frames := runtime.CallersFrames(pcs)
	for {
		f, more := frames.Next()
		if f.Function == runLockedName {
			return true
		}
		if !more {
			return false
		}
	}
}
