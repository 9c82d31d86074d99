package benchmark

import (
	"math"
	"strings"
	"testing"
	"time"
)

// TestPlusOne: the cost of one more destination is the median of the
// per-pair differences of CPU per wall second; a pair with a run that
// skipped frames (it did less work) is left out, and the table shows it.
// When GoLive reports the added destination's own thread CPU, the
// verdict rests on its median over every run with it, the A/B beside it.
func TestPlusOne(t *testing.T) {
	c, ok := caseNamed("720p30+480p30-n3+2")
	if !ok || c.PlusOneOf != TwoRenditions || c.Destinations() != 5 {
		t.Fatalf("plus-one case = %+v, %v", c, ok)
	}
	e := Endpoints{RTMP: []string{"rtmp://h/live/a", "rtmp://h/live/b", "rtmp://h/live/c", "rtmp://h/live/d", "rtmp://h/live/e"}}
	setup := c.GoLiveSetup(e)
	if set := strings.Join(setup[len(setup)-1], " "); strings.Count(set, ".size=854x480") != 2 ||
		!strings.Contains(set, "dest.d3.size") || !strings.Contains(set, "dest.d4.size") {
		t.Fatalf("three destinations on 720p, two on 480p: %s", set)
	}
	media := 12 * time.Second
	run := func(cpu float64, skipped uint64) Run {
		wall := media + time.Second
		return Run{Usage: Usage{CPU: time.Duration(cpu * float64(wall)), Wall: wall}, Stats: RunStats{Skipped: skipped}, Others: 0.1}
	}
	r := CaseResult{Case: c, Media: media,
		Base:   []Run{run(0.400, 0), run(0.410, 0), run(0.420, 0), run(0.400, 40)},
		GoLive: []Run{run(0.402, 0), run(0.413, 1), run(0.419, 0), run(0.300, 0)}}
	if got := c.SkipAllowance(media.Seconds()); got != 3 { // 0.5 % of 2 x 360 frames
		t.Fatalf("skip allowance %d, want 3", got)
	}
	p := SummarizePlusOne(r)
	if p.Pairs != 3 || math.Abs(p.Delta.Median-0.002) > 1e-9 || math.Abs(p.Delta.Min+0.001) > 1e-9 {
		t.Fatalf("plus one = %+v, want 3 pairs, median +0.002, min -0.001", p)
	}
	if v := p.Verdict(); v.Met != "yes" || !strings.Contains(v.Measured, "+0.20% of a core") {
		t.Fatalf("verdict %+v", v)
	}
	// The added destination's own thread, measured in GoLive's stats:
	// the verdict rests on it, the A/B beside it.
	if c.Added() != "d2" {
		t.Fatalf("added destination %s, want d2 (the third on 720p)", c.Added())
	}
	for i, own := range []float64{0.0054, 0.0050, 0.0060, 0.0070} {
		r.GoLive[i].Stats.OutputCPU = map[string]float64{"d0": 0.02, "d2": own}
	}
	if v := SummarizePlusOne(r).Verdict(); v.Met != "no" ||
		!strings.Contains(v.Measured, "its own sender thread 0.57% of a core [0.50% to 0.70%] (median of 4 runs); A/B of whole processes +0.20%") {
		t.Fatalf("verdict on the own measure: %+v", v)
	}
	r.GoLive[0] = run(0.420, 0)
	r.GoLive[1] = run(0.430, 0)
	if v := SummarizePlusOne(r).Verdict(); v.Met != "no" {
		t.Fatalf("2 %% of a core more: verdict %+v", v)
	}
	var b strings.Builder
	WritePairs(&b, r)
	if !strings.Contains(b.String(), "| 4 | 0.400 | 0.300 | -10.00 | 0.700 | 40 (left out) / 0 | 0.10 / 0.10 |") ||
		!strings.Contains(b.String(), "| 3 | 0.420 | 0.419 | -0.10 | 0.600 | 0 / 0 |") {
		t.Fatalf("pairs table:\n%s", b.String())
	}
}

// TestRenditionCaseReport: the report of a two-rendition case prints both
// command lines, quoted for a shell, and every pair with its ratio; a
// GoLive run that skipped frames is left out of the median.
func TestRenditionCaseReport(t *testing.T) {
	c, _ := caseNamed(TwoRenditions)
	media := 10 * time.Second
	run := func(cpu float64, skipped uint64) Run {
		return Run{Usage: Usage{CPU: time.Duration(cpu * float64(media)), Wall: media}, Stats: RunStats{Skipped: skipped}}
	}
	r := CaseResult{Case: c, Media: media,
		GoLive: []Run{run(0.40, 0), run(0.30, 100), run(0.44, 0)},
		FFmpeg: []Run{run(0.42, 0), run(0.42, 0), run(0.42, 0)}}
	s := Summarize(r)
	if s.Ratio.N != 2 || math.Abs(s.Ratio.Median-1) > 1e-9 {
		t.Fatalf("ratio %+v, want 2 pairs, median 1.00", s.Ratio)
	}
	var b strings.Builder
	WriteRenditionCases(&b, []CaseResult{r})
	out := b.String()
	for _, want := range []string{"golive live --profile bench-renditions --duration 10s --stats json",
		"ffmpeg -hide_banner", "'[0:v]split=2[v0][s1];[s1]scale=854:480:flags=bilinear[v1]'",
		"| 2 | 0.300 | 0.420 | 0.71 | 100 (left out) |", "| 1 | 0.400 | 0.420 | 0.95 | 0 |"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if got := shellJoin([]string{"a", "b c", "it's", "-x=1:2"}); got != `a 'b c' 'it'\''s' -x=1:2` {
		t.Errorf("shellJoin = %s", got)
	}
}
