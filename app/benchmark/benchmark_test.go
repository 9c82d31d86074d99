package benchmark

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestNewSpread(t *testing.T) {
	s := NewSpread([]float64{3, 1, math.NaN(), 2, 10})
	if s.N != 4 || s.Min != 1 || s.Max != 10 || s.Median != 2.5 {
		t.Fatalf("spread of 1,2,3,10 = %+v, want median 2.5 range 1-10 n 4", s)
	}
	if s := NewSpread([]float64{5, 1, 3}); s.Median != 3 {
		t.Fatalf("median of 1,3,5 = %v, want 3", s.Median)
	}
	if s := NewSpread(nil); s.N != 0 || !math.IsNaN(s.Median) {
		t.Fatalf("empty spread = %+v, want NaN", s)
	}
}

func TestRatiosAndSlope(t *testing.T) {
	r, err := Ratios([]float64{1, 3, 2}, []float64{2, 3, 0})
	if err != nil || r[0] != 0.5 || r[1] != 1 || !math.IsNaN(r[2]) {
		t.Fatalf("ratios = %v, %v; want 0.5 1 NaN", r, err)
	}
	if _, err := Ratios([]float64{1}, nil); err == nil {
		t.Fatal("ratios of unequal lengths: no error")
	}
	// 0.30 cores plus 0.4 % of a core per destination.
	x := []float64{1, 3, 8}
	y := []float64{0.304, 0.312, 0.332}
	if got := Slope(x, y); math.Abs(got-0.004) > 1e-9 {
		t.Fatalf("slope = %v, want 0.004", got)
	}
	if got := Slope([]float64{3, 3}, []float64{1, 2}); !math.IsNaN(got) {
		t.Fatalf("slope over one x = %v, want NaN", got)
	}
}

func TestParseGoLiveStats(t *testing.T) {
	out := `{"elapsed_s":1,"frames":{"captured":30,"encoded":29,"skipped":0},"outputs":[]}
not json: ignored
{"elapsed_s":2,"outputs":[{"name":"a","state":"live","cpu":0},{"name":"b","state":"connecting","cpu":0.5}]}
{"elapsed_s":3,"outputs":[{"name":"a","state":"live","cpu":0.004},{"name":"b","state":"live","cpu":0.9}]}
{"elapsed_s":4,"outputs":[{"name":"a","state":"live","cpu":0.006},{"name":"b","state":"live","cpu":0.007}]}
{"elapsed_s":12.1,"frames":{"captured":363,"encoded":362,"skipped":1},"outputs":[` +
		`{"name":"a","kind":"rtmp","state":"live","frames_sent":360,"dropped":2,"dropped_audio":1,"reconnects":1,"detail":{"latency_p50_ms":12.5,"latency_p99_ms":30,"dequeue_p50_ms":3,"dequeue_p99_ms":9}},` +
		`{"name":"b","kind":"rtmp","state":"live","frames_sent":361,"dropped":0,"detail":{"latency_p50_ms":14,"latency_p99_ms":25}},` +
		`{"name":"rtp","kind":"rtp","state":"live","frames_sent":362,"dropped":4}]}
`
	rs, err := ParseGoLiveStats([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if rs.Encoded != 362 || rs.Skipped != 1 || rs.Dropped != 7 || rs.Reconnects != 1 {
		t.Fatalf("stats = %+v, want encoded 362 skipped 1 dropped 7 reconnects 1", rs)
	}
	if !slices.Equal(rs.RTMPFrames, []uint64{360, 361}) || rs.LatencyP50Ms != 14 || rs.LatencyP99Ms != 30 ||
		rs.DequeueP50Ms != 3 || rs.DequeueP99Ms != 9 {
		t.Fatalf("stats = %+v, want rtmp frames [360 361], worst p50 14 and p99 30", rs)
	}
	// Each output's own CPU: the mean over its live lines but the first
	// (a: 0.004, 0.006, then 0 in the last line; b: 0.007, 0).
	if math.Abs(rs.OutputCPU["a"]-0.01/3) > 1e-9 || math.Abs(rs.OutputCPU["b"]-0.0035) > 1e-9 {
		t.Fatalf("output cpu %v, want a 0.00333, b 0.0035", rs.OutputCPU)
	}
	if _, err := ParseGoLiveStats([]byte("no stats\n")); err == nil {
		t.Fatal("output without stats: no error")
	}
	if _, err := ParseGoLiveStats([]byte("{\"frames\":\n")); err == nil {
		t.Fatal("truncated stats line: no error")
	}
}

func TestSummarizeAndTargets(t *testing.T) {
	media := 10 * time.Second
	run := func(cpu float64, rssMB int64, p50, p99 float64) Run {
		return Run{Usage: Usage{CPU: time.Duration(cpu * float64(media)), MaxRSSKB: rssMB * 1024},
			FirstVideo: 400 * time.Millisecond, Stats: RunStats{LatencyP50Ms: p50, LatencyP99Ms: p99},
			Others: 0.2, Steal: 0.05}
	}
	var sums []Summary
	for _, n := range []int{1, 3, 8} {
		c := Case{Name: "720p30-n" + string(rune('0'+n)), Width: 1280, Height: 720, FPS: 30, VideoKbps: 2500, RTMP: n}
		extra := 0.003 * float64(n)
		r := CaseResult{Case: c, Media: media,
			GoLive: []Run{run(0.30+extra, 100, 10, 20), run(0.32+extra, 110, 12, 30), run(0.31+extra, 105, 11, 25)},
			FFmpeg: []Run{run(0.33, 95, 0, 0), run(0.33, 95, 0, 0), run(0.31+extra, 95, 0, 0)}}
		sums = append(sums, Summarize(r))
	}
	s := sums[0]
	if s.Pair != 3 || math.Abs(s.GoCPU.Median-0.313) > 1e-9 || s.GoRSS.Max != 110 || s.P99.Median != 25 {
		t.Fatalf("summary = %+v", s)
	}
	// Ratios are taken pair by pair: 0.303/0.33, 0.323/0.33, 0.313/0.313.
	if math.Abs(s.Ratio.Median-0.323/0.33) > 1e-9 || s.Ratio.Max != 1 {
		t.Fatalf("ratio = %+v, want median %v max 1", s.Ratio, 0.323/0.33)
	}
	sl, ok := PerDestinationCost(sums, 1280, 2500, true)
	if !ok || math.Abs(sl-0.003) > 1e-9 {
		t.Fatalf("per destination = %v %v, want 0.003", sl, ok)
	}
	met := map[string]string{}
	for _, v := range CheckTargets(sums) {
		met[v.Target] = v.Met
	}
	if met["CPU ≤ 1.00× ffmpeg, 720p30-n1"] != "yes" || met["peak RSS ≤ 120 MB headless at N=3"] != "yes" ||
		met["each extra RTMP destination ≤ 0.5% of a core at 2.5 Mbit/s"] != "yes" ||
		met["capture→wire p99 ≤ 80 ms at 720p30"] != "yes" {
		t.Fatalf("verdicts = %v", met)
	}
	var b strings.Builder
	WriteTables(&b, sums)
	if !strings.Contains(b.String(), "| 720p30-n3 | 3 | 0.319 [0.309–0.329]") ||
		!strings.Contains(b.String(), "| 0.20 [0.20–0.20] | 0.05 [0.05–0.05] |") {
		t.Fatalf("table:\n%s", b.String())
	}
}

func TestSplice(t *testing.T) {
	doc, err := Splice("", "figures 1")
	if err != nil || !strings.HasPrefix(doc, BeginMarker+"\nfigures 1\n"+EndMarker) {
		t.Fatalf("new doc = %q, %v", doc, err)
	}
	doc = "# Results\n\nnotes before\n\n" + doc + "\nnotes after\n"
	doc, err = Splice(doc, "figures 2\n")
	if err != nil || strings.Contains(doc, "figures 1") || !strings.Contains(doc, "figures 2") ||
		!strings.Contains(doc, "notes before") || !strings.Contains(doc, "notes after") {
		t.Fatalf("spliced doc = %q, %v", doc, err)
	}
	if _, err := Splice(EndMarker+BeginMarker, "x"); err == nil {
		t.Fatal("markers out of order: no error")
	}
}

func TestCaseArgs(t *testing.T) {
	c, err := SelectCases(Matrix(), "720p30-n3")
	if err != nil || len(c) != 1 {
		t.Fatalf("select = %v, %v", c, err)
	}
	if _, err := SelectCases(Matrix(), "720p30-n3,nope"); err == nil {
		t.Fatal("unknown case: no error")
	}
	e := Endpoints{RTMP: []string{"rtmp://h/live/a", "rtmp://h/live/b"}, RTPAddr: "127.0.0.1:5004"}
	g := strings.Join(c[0].GoLiveArgs(e, 12*time.Second), " ")
	for _, want := range []string{"--source test", "--size 1280x720", "--video-bitrate 2500k",
		"--rtmp rtmp://h/live/a --rtmp rtmp://h/live/b", "--rtp 127.0.0.1:5004", "--duration 12s", "--stats json"} {
		if !strings.Contains(g, want) {
			t.Errorf("golive args %q lack %q", g, want)
		}
	}
	f := strings.Join(c[0].FFmpegArgs(e, 12*time.Second), " ")
	for _, want := range []string{"-t 12", "-b:v 2500k -maxrate 2500k -bufsize 5000k", "-g 60",
		"[f=flv:onfail=ignore]rtmp://h/live/a|[f=flv:onfail=ignore]rtmp://h/live/b|[f=rtp_mpegts:onfail=ignore]rtp://127.0.0.1:5004"} {
		if !strings.Contains(f, want) {
			t.Errorf("ffmpeg args %q lack %q", f, want)
		}
	}
}

func TestParseBusy(t *testing.T) {
	got, err := parseBusy("cpu  100 5 50 9000 40 3 2 7 0 0")
	if err != nil || got.Busy != 1670*time.Millisecond { // (100+5+50+3+2+7) ticks of 10 ms
		t.Fatalf("busy = %v, %v; want 1.67s", got.Busy, err)
	}
	if got.Steal != 70*time.Millisecond {
		t.Fatalf("steal = %v, want 70ms", got.Steal)
	}
	if _, err := parseBusy("intr 1 2 3"); err == nil {
		t.Fatal("not a cpu line: no error")
	}
}
