package testpeer

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// makePattern encodes 5 s of the sync pattern with ffmpeg itself, the
// audio delayed by delayMs (0 for none).
func makePattern(t *testing.T, delayMs int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pattern.mkv")
	marker := "lt(mod(t,1),0.1)"
	video := "testsrc2=size=320x240:rate=30,drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='" + marker + "'"
	audio := "sine=frequency=880:sample_rate=48000:samples_per_frame=480,volume='if(" + marker + ",1,0.1)':eval=frame"
	if delayMs > 0 {
		audio += fmt.Sprintf(",adelay=%d", delayMs)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-nostdin", "-v", "error",
		"-f", "lavfi", "-i", video, "-f", "lavfi", "-i", audio, "-t", "5",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
		"-c:a", "aac", "-ar", "48000", "-ac", "2", path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, out)
	}
	return path
}

func TestAVSyncMeasuresKnownOffset(t *testing.T) {
	RequireBinaries(t, "ffmpeg")
	for _, delay := range []int{0, 100} {
		path := makePattern(t, delay)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		r, err := AVSync(ctx, path, nil, 0)
		cancel()
		if err != nil {
			t.Fatalf("delay %d ms: %v", delay, err)
		}
		// Markers at 1, 2, 3, 4 s (the one at 0 has no rising edge).
		if len(r.Flashes) < 4 || len(r.Offsets) < 4 {
			t.Fatalf("delay %d ms: flashes %v beeps %v offsets %v", delay, r.Flashes, r.Beeps, r.Offsets)
		}
		// The muxer may shift the whole file by the AAC priming delay; the
		// flashes stay exactly one second apart.
		for i, f := range r.Flashes {
			if want := r.Flashes[0] + float64(i); f < want-0.001 || f > want+0.001 || f < 0.9 || f > float64(i)+1.1 {
				t.Errorf("flash %d at %.3f s, want %.3f s", i, f, want)
			}
		}
		want := time.Duration(delay) * time.Millisecond
		for _, off := range r.Offsets {
			if d := (off - want).Abs(); d > 10*time.Millisecond {
				t.Errorf("delay %d ms: measured offset %v", delay, off)
			}
		}
		t.Logf("delay %d ms: offsets %v max %v", delay, r.Offsets, r.MaxAbsOffset)
	}
}

func TestAVSyncRejectsInputWithoutMarkers(t *testing.T) {
	RequireBinaries(t, "ffmpeg")
	path := filepath.Join(t.TempDir(), "plain.mkv")
	cmd := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-v", "error",
		"-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-f", "lavfi", "-i", "sine=frequency=880",
		"-t", "3", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, out)
	}
	if _, err := AVSync(context.Background(), path, nil, 0); err == nil {
		t.Fatal("no error for an input without flashes or beeps")
	}
	if _, err := AVSync(context.Background(), filepath.Join(t.TempDir(), "missing.mkv"), nil, 0); err == nil {
		t.Fatal("no error for a missing input")
	}
}
