package peertest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"golive/media/engine"
	"golive/media/testpeer"
	"golive/outputs/dest"
)

// SmallRendition is the rendition a destination moves to in the move
// tests (a fallback's): 426x240, 300 kb/s, H.264 as the main one.
var SmallRendition = engine.Rendition{ID: "r1", Width: 426, Height: 240, FPS: FPS, VideoBitrate: 300_000}

// MoveAndBack waits before, moves h to rendition id's stream at its next
// key frame (dest.Handler.MoveTo, asking that encoder for one), keeps it
// there for hold once the move is done, then moves it back to the main
// stream the same way. It fails when a move does not complete within 3 s
// (the encoders give a key frame on request). It logs the machine's CPU
// pressure meanwhile: frames an engine short of CPU skipped are not lost
// by the move.
func (e *Engine) MoveAndBack(t *testing.T, h *dest.Handler, id string, before, hold time.Duration) {
	t.Helper()
	psi := testpeer.ReadCPUPressure()
	defer func() {
		if share, ok := psi.Share(); ok {
			t.Logf("CPU pressure (PSI some) during the moves: %.0f %%", share*100)
		}
	}()
	time.Sleep(before)
	if !h.MoveTo(e.RenditionStream(id), func() { e.RequestKeyFrameFor(id) }) {
		t.Fatalf("%s: MoveTo %s refused", h.Name, id)
	}
	waitMoved(t, h, id)
	time.Sleep(hold)
	if !h.MoveTo(e.Stream(), e.RequestKeyFrame) {
		t.Fatalf("%s: MoveTo main refused", h.Name)
	}
	waitMoved(t, h, engine.MainID)
}

func waitMoved(t *testing.T, h *dest.Handler, to string) {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Second); h.Moving(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: the move to %s did not complete within 3 s", h.Name, to)
		}
	}
}

// CheckSizeRuns checks what a receiver decoded across moves: 0 decode
// errors; the video's sizes, run by run, are want (e.g. 640x360, 426x240,
// 640x360), each change at a key frame; every run but the first and last
// has at least minFrames frames.
func CheckSizeRuns(t *testing.T, a *testpeer.Analysis, want []string, minFrames int) {
	t.Helper()
	if len(a.Errors) != 0 {
		t.Errorf("%d decode errors across the moves: %q", len(a.Errors), a.Errors[:min(5, len(a.Errors))])
	}
	var sizes []string
	var counts []int
	for _, f := range a.Frames {
		if f.MediaType != "video" {
			continue
		}
		size := fmt.Sprintf("%dx%d", f.Width, f.Height)
		if len(sizes) == 0 || sizes[len(sizes)-1] != size {
			if len(sizes) > 0 && f.KeyFrame != 1 {
				t.Errorf("size changed to %s at a frame that is not a key frame", size)
			}
			sizes, counts = append(sizes, size), append(counts, 0)
		}
		counts[len(counts)-1]++
	}
	t.Logf("decoded video: sizes %v, frames %v", sizes, counts)
	if strings.Join(sizes, " ") != strings.Join(want, " ") {
		t.Fatalf("decoded sizes %v, want %v", sizes, want)
	}
	for i := 1; i < len(counts)-1; i++ {
		if counts[i] < minFrames {
			t.Errorf("%d frames of %s, want at least %d: frames lost", counts[i], sizes[i], minFrames)
		}
	}
}
