package encode

import (
	"context"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/asticode/go-astiav"

	"golive/media/capture"
)

// BenchmarkVideo720p generates, converts and encodes 150 frames of 720p
// testsrc2 as the engine does (without real-time pacing), and reports the
// time relative to ffmpeg doing the same job ("x-ffmpeg", lower is better).
func BenchmarkVideo720p(b *testing.B) {
	const frames = 150
	var ours time.Duration
	for range b.N {
		start := time.Now()
		encodeTestFrames(b, frames)
		ours += time.Since(start)
	}
	b.StopTimer()
	ref := ffmpegReference(b, frames)
	b.ReportMetric((ours/time.Duration(b.N)).Seconds()/ref.Seconds(), "x-ffmpeg")
}

func encodeTestFrames(b *testing.B, frames int) {
	src, err := capture.NewTestVideo(1280, 720, 30)
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	if err := src.Start(time.Now().Add(-time.Hour)); err != nil { // all frames due
		b.Fatal(err)
	}
	v := &Video{Width: 1280, Height: 720}
	if err := v.Initialize(); err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	s := Scaler{Width: 1280, Height: 720, PixelFormat: v.PixelFormat()}
	defer s.Close()
	dst := astiav.AllocFrame()
	defer dst.Free()
	for i := range frames {
		f, err := src.Read(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Scale(f.Frame, dst); err != nil {
			b.Fatal(err)
		}
		if _, err := v.Encode(dst, int64(i), f.Time); err != nil {
			b.Fatal(err)
		}
		dst.Unref()
	}
}

func ffmpegReference(b *testing.B, frames int) time.Duration {
	args := []string{"-hide_banner", "-nostdin", "-v", "error", "-f", "lavfi",
		"-i", capture.TestVideoGraph(1280, 720, 30), "-frames:v", strconv.Itoa(frames),
		"-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-b:v", "2500k",
		"-maxrate", "2500k", "-bufsize", "5000k", "-g", "60", "-keyint_min", "60", "-sc_threshold", "0",
		"-pix_fmt", "yuv420p", "-f", "null", "-"}
	start := time.Now()
	if out, err := exec.Command("ffmpeg", args...).CombinedOutput(); err != nil {
		b.Fatalf("ffmpeg: %v: %s", err, out)
	}
	return time.Since(start)
}
