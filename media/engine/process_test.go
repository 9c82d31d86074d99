//go:build linux

package engine

import (
	"os"
	"runtime"
	"testing"
	"time"

	"golive/media/unit"
)

// TestTimerSlackOnEveryThread: the slack is set before the runtime starts,
// so a thread the runtime creates later has it too.
func TestTimerSlackOnEveryThread(t *testing.T) {
	if os.Getenv("GOLIVE_DEFAULT_TIMER_SLACK") == "1" {
		t.Skip("GOLIVE_DEFAULT_TIMER_SLACK=1 keeps the kernel's default")
	}
	got := make(chan int64)
	for range 4 {
		go func() {
			runtime.LockOSThread() // a thread of its own, ended with the goroutine
			got <- int64(currentTimerSlack())
		}()
	}
	for range 4 {
		if s := <-got; s != int64(TimerSlack) {
			t.Errorf("thread timer slack %d ns, want %d", s, TimerSlack.Nanoseconds())
		}
	}
}

// TestOneMallocArena: after a stream in which the capture, encoder and
// x264 threads all allocated, glibc still has a single arena.
func TestOneMallocArena(t *testing.T) {
	if os.Getenv("MALLOC_ARENA_MAX") != "" {
		t.Skip("MALLOC_ARENA_MAX is set: the user's value is kept")
	}
	e := &Engine{Config: Config{
		Video: VideoSourceConfig{Kind: KindTest}, Audio: AudioSourceConfig{Kind: KindTest},
		Width: 640, Height: 360, AudioCodecs: []unit.Codec{unit.CodecAAC, unit.CodecOpus},
	}}
	if err := e.Initialize(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	video, _ := split(collect(t, e, time.Second))
	if len(video) < 10 {
		t.Fatalf("%d video packets in 1 s", len(video))
	}
	if n := mallocArenaCount(); n != MallocArenas {
		t.Errorf("%d malloc arenas, want %d", n, MallocArenas)
	}
}

// TestPicturesDoNotRefault: freeing and reallocating picture-sized blocks,
// as the sources and encoders do for every frame, reuses the heap's pages
// instead of mapping (or trimming and faulting) them again.
func TestPicturesDoNotRefault(t *testing.T) {
	for _, env := range []string{"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES"} {
		if os.Getenv(env) != "" {
			t.Skipf("%s is set: the user's malloc settings are kept", env)
		}
	}
	const rounds, blocks, size = 11, 4, 1920 * 1080 * 3 / 2 // four 1080p yuv420p pictures
	faults := mallocRefaults(rounds, blocks, size)
	pages := int64(rounds-1) * blocks * size / int64(os.Getpagesize())
	t.Logf("%d page faults for %d pages written in 10 rounds", faults, pages)
	if faults < 0 || faults > pages/20 {
		t.Errorf("%d page faults writing %d pages of reused memory, want under %d", faults, pages, pages/20)
	}
}
