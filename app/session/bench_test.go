package session

import (
	"context"
	"fmt"
	"os/exec"
	"slices"
	"syscall"
	"testing"
	"time"

	"golive/media/capture"
	"golive/media/unit"
	"golive/outputs/dest"
)

// discardWorker reads and drops every packet: the engine's cost with an
// output that costs nothing, like ffmpeg's null muxer.
type discardWorker struct{}

func (discardWorker) Run(ctx context.Context, s *dest.Session) error {
	s.Live()
	for {
		p, err := s.Reader.Read(ctx)
		if err != nil {
			return err
		}
		s.Counters.Bytes.Add(uint64(len(p.Data)))
	}
}

const (
	benchMedia = 8 * time.Second
	benchPairs = 5
)

// BenchmarkEngineVsFFmpeg720p30 measures GoLive's CPU seconds per media
// second for the test source at 1280x720@30 (libx264 veryfast zerolatency
// CBR 2500k, AAC 128k, paced in real time) against the ffmpeg command line
// doing the same encode, alternating the two (A B A B ...) in one run.
// It reports the ratio GoLive/ffmpeg: median and range.
func BenchmarkEngineVsFFmpeg720p30(b *testing.B) {
	var ratios, ours, theirs []float64
	for b.Loop() {
		for range benchPairs {
			g := cpuOfEngine(b, benchMedia)
			f := cpuOfFFmpeg(b, benchMedia)
			ours, theirs = append(ours, g), append(theirs, f)
			ratios = append(ratios, g/f)
		}
	}
	slices.Sort(ratios)
	b.ReportMetric(median(ours), "golive-cpu-s/media-s")
	b.ReportMetric(median(theirs), "ffmpeg-cpu-s/media-s")
	b.ReportMetric(median(ratios), "ratio-median")
	b.ReportMetric(ratios[0], "ratio-min")
	b.ReportMetric(ratios[len(ratios)-1], "ratio-max")
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

func cpuNow() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func cpuOfEngine(b *testing.B, media time.Duration) float64 {
	b.Helper()
	cfg := Config{Engine: EngineConfig(testSourceProfile()), Outputs: []Output{{Name: "discard",
		Kind: "rtmp", Worker: discardWorker{}, AudioCodec: unit.CodecAAC}}}
	s := &Session{Config: cfg}
	start := cpuNow()
	if err := s.Initialize(); err != nil {
		b.Fatal(err)
	}
	time.Sleep(media)
	s.Close()
	return (cpuNow() - start).Seconds() / media.Seconds()
}

func cpuOfFFmpeg(b *testing.B, media time.Duration) float64 {
	b.Helper()
	secs := fmt.Sprintf("%g", media.Seconds())
	cmd := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-v", "error",
		"-re", "-f", "lavfi", "-i", capture.TestVideoGraph(1280, 720, 30),
		"-re", "-f", "lavfi", "-i", capture.TestAudioGraph(),
		"-t", secs, "-map", "0:v", "-map", "1:a",
		"-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-profile:v", "high",
		"-b:v", "2500k", "-maxrate", "2500k", "-bufsize", "5000k",
		"-g", "60", "-keyint_min", "60", "-sc_threshold", "0", "-pix_fmt", "yuv420p",
		"-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-ac", "2",
		"-flags", "+global_header", "-f", "null", "-")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("ffmpeg: %v: %s", err, out)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		b.Fatal("no rusage for ffmpeg")
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9 / media.Seconds()
}
