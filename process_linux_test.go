package main

import (
	"context"
	"errors"
	"os"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"golive/media/engine"
	"golive/media/stream"
	"golive/media/unit"
)

// These tests run in package main's test binary, which has the same C
// constructor as the golive binary (process_linux.go).

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
			s, err := unix.PrctlRetInt(unix.PR_GET_TIMERSLACK, 0, 0, 0, 0)
			if err != nil {
				s = -1
			}
			got <- int64(s)
		}()
	}
	for range 4 {
		if s := <-got; s != int64(timerSlack) {
			t.Errorf("thread timer slack %d ns, want %d", s, timerSlack.Nanoseconds())
		}
	}
}

// TestOneMallocArena: after a stream in which the capture, encoder and
// x264 threads all allocated, glibc still has a single arena.
func TestOneMallocArena(t *testing.T) {
	if os.Getenv("MALLOC_ARENA_MAX") != "" {
		t.Skip("MALLOC_ARENA_MAX is set: the user's value is kept")
	}
	e := &engine.Engine{Config: engine.Config{
		Video: engine.VideoSourceConfig{Kind: engine.KindTest}, Audio: engine.AudioSourceConfig{Kind: engine.KindTest},
		Width: 640, Height: 360, AudioCodecs: []unit.Codec{unit.CodecAAC, unit.CodecOpus},
	}}
	if err := e.Initialize(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	r := e.Stream().Subscribe(stream.ReaderConfig{Name: "test", MaxQueue: time.Minute, MaxPackets: 1 << 16})
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	runErr := make(chan error, 1)
	go func() { runErr <- e.Run(ctx) }()
	video := 0
	for {
		p, err := r.Read(context.Background())
		if errors.Is(err, stream.ErrClosed) {
			break
		}
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		if p.Kind() == unit.KindVideo {
			video++
		}
	}
	if err := <-runErr; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if video < 10 {
		t.Fatalf("%d video packets in 1 s", video)
	}
	if n := mallocArenaCount(); n != mallocArenas {
		t.Errorf("%d malloc arenas, want %d", n, mallocArenas)
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
	if mallocMmapThreshold <= 1920*1080*3/2 || mallocTrimThreshold < mallocMmapThreshold {
		t.Fatalf("thresholds %d/%d below a 1080p picture", mallocMmapThreshold, mallocTrimThreshold)
	}
	const rounds, blocks, size = 11, 4, 1920 * 1080 * 3 / 2 // four 1080p yuv420p pictures
	faults := mallocRefaults(rounds, blocks, size)
	pages := int64(rounds-1) * blocks * size / int64(os.Getpagesize())
	t.Logf("%d page faults for %d pages written in 10 rounds", faults, pages)
	if faults < 0 || faults > pages/20 {
		t.Errorf("%d page faults writing %d pages of reused memory, want under %d", faults, pages, pages/20)
	}
}
