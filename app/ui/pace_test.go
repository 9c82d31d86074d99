package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

func TestNextPreviewFPS(t *testing.T) {
	for _, c := range []struct {
		fps   int
		share float64
		want  int
	}{
		{10, 0.30, 1},  // software GL: 30 ms a frame at 10 fps
		{1, 0.045, 1},  // stays at the floor when even 1 fps is over budget
		{10, 0.03, 10}, // a GPU: 3 ms a frame
		{1, 0.005, 2},  // rises at most twofold a step
		{4, 0.004, 8},
		{8, 0.004, 10}, // never above the ceiling
		{5, 0.05, 4},   // 10 ms a frame: 4 fps fit in 4 % of a core
		{5, 0, 10},
		{0, 0.2, 1},
	} {
		if got := nextPreviewFPS(c.fps, c.share); got != c.want {
			t.Errorf("nextPreviewFPS(%d, %.3f) = %d, want %d", c.fps, c.share, got, c.want)
		}
	}
}

func TestPacerMeasuresTheGUIThreads(t *testing.T) {
	var used time.Duration
	p := newPacer(func() (time.Duration, bool) { return used, true })
	t0 := time.Unix(100, 0)
	p.reset(t0)
	if got := p.update(t0.Add(10 * time.Millisecond)); got != maxPreviewFPS {
		t.Fatalf("rate right after the start: %d", got)
	}
	used += 300 * time.Millisecond // 30 % of a core over the next second
	if got := p.update(t0.Add(1010 * time.Millisecond)); got != minPreviewFPS {
		t.Fatalf("rate after an expensive second: %d", got)
	}
	used += 10 * time.Millisecond
	if got := p.update(t0.Add(2010 * time.Millisecond)); got != 2 {
		t.Fatalf("rate after a cheap second: %d", got)
	}
	p.reset(t0.Add(3 * time.Second))
	if p.fps != maxPreviewFPS {
		t.Fatalf("reset kept %d fps", p.fps)
	}
	none := newPacer(func() (time.Duration, bool) { return 0, false })
	none.reset(t0)
	if got := none.update(t0.Add(time.Second)); got != maxPreviewFPS {
		t.Fatalf("rate without a measure: %d", got)
	}
}

func TestGUIThreadsCPU(t *testing.T) {
	a, ok := guiThreadsCPU()
	if !ok {
		t.Skip("no per-thread CPU figures on this system")
	}
	b, _ := guiThreadsCPU()
	if a <= 0 || b < a {
		t.Fatalf("GUI threads CPU %v then %v", a, b)
	}
}

func TestLiveTickSetsThePreviewRate(t *testing.T) {
	_, store := newTestStore(t)
	w := newTestWindow(t, store, &fakeEngine{})
	var used time.Duration
	w.pace = newPacer(func() (time.Duration, bool) { return used, true })
	if got := w.rate.Load(); got != 1 {
		t.Fatalf("ticks per second while idle: %d", got)
	}
	start := time.Now()
	test.Tap(w.action.button)
	w.bg.Wait()
	if got := w.rate.Load(); got != maxPreviewFPS {
		t.Fatalf("ticks per second when going live: %d", got)
	}
	time.Sleep(150 * time.Millisecond)
	// Painting took a whole core since going live: as much CPU time as
	// wall time went by (however long a busy machine made the sleep).
	used += time.Since(start)
	w.tick()
	if got := w.rate.Load(); got != minPreviewFPS {
		t.Fatalf("ticks per second after an expensive second: %d", got)
	}
	if !strings.Contains(w.preview.info.Text, "preview 1 fps") {
		t.Fatalf("preview info %q", w.preview.info.Text)
	}
	time.Sleep(150 * time.Millisecond) // a cheap second: the rate rises
	w.tick()
	if got := w.rate.Load(); got != 2*minPreviewFPS {
		t.Fatalf("ticks per second after a cheap second: %d", got)
	}
	w.live.Close()
	w.tick() // the stream ended: back to idle
	w.bg.Wait()
	w.tick()
	if got := w.rate.Load(); got != 1 {
		t.Fatalf("ticks per second after the stream: %d", got)
	}
}
