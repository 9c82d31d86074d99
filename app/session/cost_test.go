package session

import (
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"golive/app/profile"
	"golive/media/engine"
)

// rtmpDest is an enabled custom RTMP destination with its own video.
func rtmpDest(name string, v *profile.Video) profile.Destination {
	return profile.Destination{Name: name, Kind: profile.KindRTMP, Enabled: true,
		RTMP: &profile.RTMP{Service: "custom", URL: "rtmp://127.0.0.1/live", Key: name}, Video: v}
}

// TestCPUEstimateWarnsOfOverload: three renditions beside the main one,
// one of them AV1 1080p60, are more than 2 cores can encode; the warning
// counts the encoders (shared renditions once) and says what to do.
func TestCPUEstimateWarnsOfOverload(t *testing.T) {
	p := testSourceProfile()
	p.Encoder.FPS = 60
	p.Destinations = []profile.Destination{
		rtmpDest("Main", nil),
		rtmpDest("Same", &profile.Video{Width: p.Encoder.Width, Height: p.Encoder.Height}),
		rtmpDest("Small", &profile.Video{Width: 854, Height: 480, FPS: 30, VideoBitrate: 1_000_000}),
		rtmpDest("Small too", &profile.Video{Width: 854, Height: 480, FPS: 30, VideoBitrate: 1_000_000}),
		rtmpDest("Shorts", &profile.Video{Width: 720, Height: 1280, FPS: 30, VideoBitrate: 2_000_000, Layout: profile.LayoutVertical}),
		rtmpDest("AV1", &profile.Video{Width: 1920, Height: 1080, FPS: 60, VideoBitrate: 6_000_000, Codec: profile.CodecAV1}),
	}
	costs := ProfileEncoders(p)
	ids := make([]string, len(costs))
	total := 0.0
	for i, c := range costs {
		ids[i] = c.ID
		total += c.Cores
		t.Logf("%s", c.describe())
	}
	if !slices.Equal(ids, []string{"main", "r1", "r2", "r3"}) {
		t.Fatalf("encoders %v, want main and three renditions", ids)
	}
	if av1 := costs[3]; av1.Encoder != "libsvtav1" || av1.Cores < 1 || av1.Cores <= costs[0].Cores {
		t.Fatalf("AV1 1080p60 estimate %+v: want the largest, over a core", av1)
	}
	msg := CPUWarning(costs, 2)
	want := "The 4 encoders need about "
	if !strings.HasPrefix(msg, want) || !strings.Contains(msg, " of your 2 cores: expect skipped frames. "+
		"Lower a destination's size, fps or preset, or share the main video.") {
		t.Fatalf("warning %q", msg)
	}
	if total < 2 || total > 3.5 {
		t.Fatalf("estimate %.2f cores: the measured costs give about 2.5", total)
	}
	if m := CPUWarning(costs, 8); m != "" {
		t.Fatalf("8 cores warned: %q", m)
	}
}

// TestCPUEstimateQuietForOneEncoder: a single 720p30 veryfast encode
// fits 2 cores (and one core); a main 1080p30 "slow" on one core does not.
func TestCPUEstimateQuietForOneEncoder(t *testing.T) {
	p := testSourceProfile()
	p.Encoder.Width, p.Encoder.Height, p.Encoder.FPS, p.Encoder.Preset = 1280, 720, 30, "veryfast"
	p.Destinations = []profile.Destination{rtmpDest("A", nil), rtmpDest("B", nil)}
	costs := ProfileEncoders(p)
	if len(costs) != 1 || costs[0].Cores < 0.1 || costs[0].Cores > 0.5 {
		t.Fatalf("720p30 veryfast: %+v, want one encoder of 0.1-0.5 core", costs)
	}
	for _, cores := range []int{1, 2} {
		if msg := CPUWarning(costs, cores); msg != "" {
			t.Fatalf("%d cores: %q", cores, msg)
		}
	}
	p.Encoder.Width, p.Encoder.Height, p.Encoder.Preset = 1920, 1080, "slow"
	if msg := CPUWarning(ProfileEncoders(p), 1); !strings.HasPrefix(msg, "The encoder needs about ") ||
		!strings.Contains(msg, "of your 1 core:") {
		t.Fatalf("1080p30 slow on 1 core: %q", msg)
	}
}

// TestCPUCostModel: costs grow with pixels, frame rate and slower
// presets; HEVC costs more than H.264, a hardware encoder far less.
func TestCPUCostModel(t *testing.T) {
	c := func(w, h, fps int, enc, preset string) float64 {
		return costOf("x", engine.Rendition{Width: w, Height: h, FPS: fps, Encoder: enc, Preset: preset}).Cores
	}
	switch {
	case c(1920, 1080, 30, "libx264", "veryfast") <= c(1280, 720, 30, "libx264", "veryfast"):
		t.Error("1080p not above 720p")
	case c(1280, 720, 60, "libx264", "veryfast") <= c(1280, 720, 30, "libx264", "veryfast"):
		t.Error("60 fps not above 30")
	case c(1280, 720, 30, "libx264", "medium") <= c(1280, 720, 30, "libx264", "veryfast"):
		t.Error("medium not above veryfast")
	case c(1280, 720, 30, "libx265", "veryfast") <= c(1280, 720, 30, "libx264", "veryfast"):
		t.Error("HEVC not above H.264")
	case c(1280, 720, 30, "libsvtav1", "8") <= c(1280, 720, 30, "libsvtav1", "12"):
		t.Error("SVT-AV1 preset 8 not above 12")
	case c(1920, 1080, 60, "h264_nvenc", "") >= c(1920, 1080, 60, "libx264", "veryfast")/2:
		t.Error("NVENC 1080p60 not far below x264 veryfast")
	}
}

// TestEncoderCPUMeasured: while live, each encoder's "cpu" is measured
// (time spent scaling and encoding per second): above 0, below the
// machine's cores, and larger for the larger rendition (1280x720 beside
// the main 640x360, same preset). Real-time encode: run under the heavy
// lock.
func TestEncoderCPUMeasured(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time encode")
	}
	defer goleak.VerifyNone(t)
	cfg, err := FromProfile(testProfile(t, t.TempDir()+"/rec.mkv"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Engine.Width, cfg.Engine.Height, cfg.Engine.FPS = 640, 360, 30
	cfg.Outputs = []Output{output("small", &recordingWorker{}), output("large", &recordingWorker{})}
	cfg.Outputs[1].Video = &engine.Rendition{Width: 1280, Height: 720, VideoBitrate: 2_500_000}
	for _, c := range EstimateEncoders(cfg) {
		t.Logf("estimate %s", c.describe())
	}
	s := &Session{Config: cfg}
	if err := s.Initialize(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var small, large []float64
	time.Sleep(1500 * time.Millisecond) // the first window
	for range 4 {
		time.Sleep(time.Second)
		es := s.Stats().Encoders
		if len(es) != 2 || es[0].Size != "640x360" || es[1].Size != "1280x720" {
			t.Fatalf("encoders %+v", es)
		}
		small, large = append(small, es[0].CPU), append(large, es[1].CPU)
	}
	slices.Sort(small)
	slices.Sort(large)
	ms, ml := (small[1]+small[2])/2, (large[1]+large[2])/2
	t.Logf("measured cpu: main 640x360 %v (median %.3f), r1 1280x720 %v (median %.3f); skipped main %d, r1 %d",
		small, ms, large, ml, s.Stats().Encoders[0].Skipped, s.Stats().Encoders[1].Skipped)
	cores := float64(runtime.NumCPU())
	switch {
	case ms <= 0 || ml <= 0:
		t.Fatalf("cpu not measured: main %.3f, r1 %.3f", ms, ml)
	case ms >= cores || ml >= cores:
		t.Fatalf("cpu beyond the machine's %v cores: main %.3f, r1 %.3f", cores, ms, ml)
	case ml <= ms:
		t.Fatalf("the 1280x720 encoder (%.3f) does not cost more than the 640x360 one (%.3f)", ml, ms)
	}
}

// TestInitializeWarnsOfCPU: the warning `golive live` and the window's
// stream get at Initialize is kept in Warnings and logged (info) (four HEVC
// 1080p60 veryslow encoders overload any test machine).
func TestInitializeWarnsOfCPU(t *testing.T) {
	p := testSourceProfile()
	p.Encoder.FPS = 60
	for i, name := range []string{"A", "B", "C", "D"} {
		p.Destinations = append(p.Destinations, rtmpDest(name, &profile.Video{Width: 1920, Height: 1080 - 2*i,
			Codec: profile.CodecHEVC, Preset: "veryslow"}))
	}
	var log strings.Builder
	s := &Session{Config: Config{Logger: slog.New(slog.NewTextHandler(&log, nil))}}
	s.warnCPU(ProfileEncoders(p))
	w := s.Warnings()
	if len(w) != 1 || !strings.HasPrefix(w[0], "The 5 encoders need about ") ||
		!strings.Contains(log.String(), "level=INFO") || !strings.Contains(log.String(), "r4 1920x1074@60 libx265 veryslow") {
		t.Fatalf("warnings %q, log %q", w, log.String())
	}
}
