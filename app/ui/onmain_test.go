package ui

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"golive/app/profile"
)

// TestHopsRunOneAtATime: under Fyne's test driver, which runs fyne.Do and
// fyne.DoAndWait inline on the caller's goroutine, hops from many
// goroutines still run one at a time (what the window's goAsync results,
// ticks and remote control calls rely on). Without uiMu the overlap is
// seen at once, and -race reports the shared map.
func TestHopsRunOneAtATime(t *testing.T) {
	test.NewTempApp(t)
	const goroutines, hops = 8, 200
	var inside, overlaps atomic.Int32
	shared := map[int]int{} // touched by every callback, unguarded
	var wg, async sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range hops {
				fn := func() {
					if inside.Add(1) > 1 {
						overlaps.Add(1)
					}
					shared[g] += i
					time.Sleep(10 * time.Microsecond) // widens any overlap
					inside.Add(-1)
				}
				if i%2 == 0 {
					onMainWait(fn)
					continue
				}
				async.Add(1)
				onMain(func() { defer async.Done(); fn() })
			}
		}()
	}
	wg.Wait()
	async.Wait()
	if n := overlaps.Load(); n > 0 {
		t.Fatalf("%d hop callbacks started while another one ran", n)
	}
	if len(shared) != goroutines {
		t.Fatalf("%d of %d goroutines' hops ran", len(shared), goroutines)
	}
}

// TestNestedHopsRunInline: a callback that hops again does not deadlock
// (its hop runs at once, in order), while a goroutine it starts waits
// until the callback has ended.
func TestNestedHopsRunInline(t *testing.T) {
	test.NewTempApp(t)
	var mu sync.Mutex
	var order []string
	note := func(s string) { mu.Lock(); order = append(order, s); mu.Unlock() }
	other := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		onMainWait(func() {
			note("outer")
			onMain(func() { note("nested onMain") })
			onMainWait(func() {
				note("nested onMainWait")
				onMainWait(func() { note("twice nested") })
			})
			go func() { defer close(other); onMainWait(func() { note("other goroutine") }) }()
			time.Sleep(50 * time.Millisecond) // the other goroutine waits meanwhile
			note("outer ends")
		})
	}()
	for _, ch := range []chan struct{}{done, other} {
		select {
		case <-ch:
		case <-time.After(10 * time.Second):
			t.Fatalf("nested hops deadlocked; ran %q", order)
		}
	}
	want := "outer, nested onMain, nested onMainWait, twice nested, outer ends, other goroutine"
	if got := strings.Join(order, ", "); got != want {
		t.Fatalf("ran %s, want %s", got, want)
	}
}

// TestTickerWhileGoingLiveAndEnding runs the window's ticker at the
// live preview rate while the stream starts and ends through goAsync and
// a remote control client watches the window: the ticker keeps the title
// and the preview current, and every hop takes its turn (-race).
func TestTickerWhileGoingLiveAndEnding(t *testing.T) {
	_, store := newTestStore(t)
	eng := &fakeEngine{}
	w := newTestWindow(t, store, eng)
	onMainWait(func() {
		w.prof.Capture = profile.Capture{Source: profile.SourceTest, Audio: profile.AudioNone}
		w.changed()
	})
	w.startTicker()
	stopWatch := make(chan struct{})
	watched := make(chan struct{})
	go func() { defer close(watched); (&windowController{w: w}).watch(stopWatch) }()
	defer func() { close(stopWatch); <-watched }()

	onMainWait(func() { test.Tap(w.action.button) })
	waitUI(t, 10*time.Second, "live", func() bool { return w.phase == phaseLive })
	eng.mu.Lock()
	live := eng.live
	eng.mu.Unlock()
	live.setStats(Stats{ElapsedS: 61})
	// The stats tick comes once a second; the preview up to ten times.
	waitUI(t, 10*time.Second, "the live title and preview", func() bool {
		return strings.Contains(w.win.Title(), "LIVE "+formatElapsed(61)) && w.preview.image.Image != nil
	})
	onMainWait(func() { w.endStream(nil) })
	waitUI(t, 10*time.Second, "idle", func() bool {
		return w.phase == phaseIdle && !strings.Contains(w.win.Title(), "LIVE")
	})
	onMainWait(w.shutdown)
	<-w.tickerDone
}

// waitUI waits until cond, evaluated as a hop, holds.
func waitUI(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(within); ; time.Sleep(20 * time.Millisecond) {
		var ok bool
		onMainWait(func() { ok = cond() })
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the window is not %s after %v", what, within)
		}
	}
}
