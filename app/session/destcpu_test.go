package session

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"golive/media/testpeer"
	"golive/outputs/dest"
	"golive/outputs/rtmp"
)

// destCPURun streams the test source, 1280x720 at fps, ultrafast at
// bitrate (bits/s), to one nginx-rtmp destination for about 6 s and returns the
// median of the destination's "cpu" over four 1 s windows, and what it
// sent (kb/s, over the last 10 s).
func destCPURun(t *testing.T, ng *testpeer.Nginx, w, h, fps, bitrate int, key string) (cpu, kbps float64) {
	t.Helper()
	cfg, err := FromProfile(testProfile(t, t.TempDir()+"/rec.mkv"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Engine.Width, cfg.Engine.Height, cfg.Engine.FPS = w, h, fps
	cfg.Engine.VideoBitrate, cfg.Engine.Preset = bitrate, "ultrafast"
	cfg.Outputs = []Output{{Name: "d", Kind: "rtmp", Reader: rtmp.ReaderConfig("d"), AudioCodec: cfg.Outputs[0].AudioCodec,
		Worker: &rtmp.Publisher{URL: ng.RTMPURL("live", key)}}}
	s := &Session{Config: cfg}
	if err := s.Initialize(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out := func() dest.Status {
		st := s.Stats()
		if len(st.Outputs) != 1 {
			t.Fatalf("outputs %+v", st.Outputs)
		}
		return st.Outputs[0]
	}
	time.Sleep(2 * time.Second) // connect, the first window
	var cpus []float64
	for range 4 {
		time.Sleep(time.Second)
		o := out()
		if o.State != dest.StateLive {
			t.Fatalf("destination %s: %s", o.State, o.LastError)
		}
		cpus = append(cpus, o.CPU)
	}
	b, err := json.Marshal(s.Stats())
	if err != nil || !strings.Contains(string(b), `"cpu":`) {
		t.Fatalf("--stats json lacks the output's \"cpu\" (%v): %s", err, b)
	}
	o := out()
	slices.Sort(cpus)
	t.Logf("%d fps, %d kb/s target: sent %.0f kb/s, %d frames, %d dropped; destination cpu %v (median %.4f)",
		fps, bitrate/1000, o.Bitrate10s, o.FramesSent, o.Dropped, cpus, (cpus[1]+cpus[2])/2)
	return (cpus[1] + cpus[2]) / 2, o.Bitrate10s
}

// TestDestinationCPUMeasured (issue 18, "one more destination"): an
// RTMP destination's "cpu" in --stats json, the CPU time of its sender's
// own thread per second, is above 0 and below 5 % of a core for 720p30
// at 2.5 Mbit/s to nginx-rtmp, and higher than the same destination's
// for 320x180@5 at 200 kb/s (on this VM about 0.5 % against 0.2 %: the
// cost is mostly per message and wakeup, barely per byte). Real-time
// encode: run under the heavy lock. About 12 s.
func TestDestinationCPUMeasured(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time encode against nginx-rtmp")
	}
	t.Cleanup(func() { goleak.VerifyNone(t) })
	testpeer.RequireBinaries(t, "nginx")
	ng := testpeer.StartNginxRTMP(t)
	small, smallKbps := destCPURun(t, ng, 320, 180, 5, 200_000, "small")
	cpu, kbps := destCPURun(t, ng, 1280, 720, 30, 2_500_000, "hd")
	t.Logf("destination cpu: %.4f of a core at 720p30 %.0f kb/s, %.4f at 180p5 %.0f kb/s", cpu, kbps, small, smallKbps)
	switch {
	case cpu <= 0 || cpu >= 0.05:
		t.Errorf("720p30 2.5 Mbit/s destination: cpu %.4f, want in (0, 0.05)", cpu)
	case kbps < 4*smallKbps:
		t.Errorf("the 720p30 run sent %.0f kb/s, the 180p5 one %.0f: not the contrast the test needs", kbps, smallKbps)
	case cpu <= small:
		t.Errorf("sending 720p30 at %.0f kb/s costs %.4f of a core, 180p5 at %.0f kb/s %.4f: the figure does not follow the work",
			kbps, cpu, smallKbps, small)
	}
}
