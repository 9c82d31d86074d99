package benchmark

import (
	"fmt"
	"io"
	"math"
)

// Verdict is one target of issue 8 checked against the figures.
type Verdict struct {
	Target, Measured string
	// Met is "yes", "no" or "n/a" (not measured in this run).
	Met string
}

func verdict(target string, ok, measured bool, format string, args ...any) Verdict {
	v := Verdict{Target: target, Measured: fmt.Sprintf(format, args...), Met: "n/a"}
	if measured {
		v.Met = "no"
		if ok {
			v.Met = "yes"
		}
	}
	return v
}

func find(ss []Summary, name string) (Summary, bool) {
	for _, s := range ss {
		if s.Case.Name == name {
			return s, true
		}
	}
	return Summary{}, false
}

// CheckTargets compares the summaries with the targets of issue 8.
func CheckTargets(ss []Summary) []Verdict {
	var vs []Verdict
	for _, s := range ss {
		if s.Case.Screen || s.Case.Pairs > 0 || s.Case.PlusOneOf != "" {
			continue
		}
		r := s.Ratio.Median
		vs = append(vs, verdict("CPU ≤ 1.00× ffmpeg, "+s.Case.Name, r <= 1.0, !math.IsNaN(r),
			"%.2f× (median of %d pairs)", r, s.Ratio.N))
	}
	if sl, ok := PerDestinationCost(ss, 1280, 2500, true); ok {
		vs = append(vs, verdict("each extra RTMP destination ≤ 0.5% of a core at 2.5 Mbit/s",
			sl <= 0.005, true, "%.2f%% of a core (slope of the 720p medians over N)", 100*sl))
	}
	if s, ok := find(ss, "720p30-n3"); ok {
		vs = append(vs, verdict("peak RSS ≤ 120 MB headless at N=3", s.GoRSS.Max <= 120, s.GoRSS.N > 0,
			"%.0f MB (largest of %d runs)", s.GoRSS.Max, s.GoRSS.N))
	}
	p50, p99, first, slowest := math.NaN(), math.NaN(), math.NaN(), math.NaN()
	for _, s := range ss {
		if s.Case.Width == 1280 && !s.Case.Screen && s.Case.Pairs == 0 {
			p50, p99 = worst(p50, s.P50.Median), worst(p99, s.P99.Median)
		}
		if s.GoFirst.N > 0 {
			first, slowest = worst(first, s.GoFirst.Median), worst(slowest, s.GoFirst.Max)
		}
	}
	vs = append(vs,
		verdict("capture→wire p50 ≤ 40 ms at 720p30", p50 <= 40, !math.IsNaN(p50), "%.1f ms (worst case median)", p50),
		verdict("capture→wire p99 ≤ 80 ms at 720p30", p99 <= 80, !math.IsNaN(p99), "%.1f ms (worst case median)", p99),
		verdict("Go Live → first video tag ≤ 1 s", first <= 1000, !math.IsNaN(first),
			"%.0f ms (worst case median, from process start; slowest run %.0f ms)", first, slowest))
	for _, s := range ss {
		if s.Case.RTMP == 16 {
			vs = append(vs, verdict("16 RTMP destinations at 6 Mbit/s, zero drops",
				s.Drops == 0 && s.Reconnects == 0 && s.GoRuns > 0, s.GoRuns > 0,
				"%d drops, %d reconnects, %d skipped frames in %d run(s)", s.Drops, s.Reconnects, s.Skipped, s.GoRuns))
		}
	}
	vs = append(vs, Verdict{Target: "window and preview open: CPU ≤ 1.15× headless",
		Measured: "not measured by this harness", Met: "n/a"})
	return vs
}

// WriteVerdicts writes the targets as a Markdown table.
func WriteVerdicts(w io.Writer, vs []Verdict) {
	fmt.Fprintln(w, "| target | measured | met |")
	fmt.Fprintln(w, "|---|---|---|")
	for _, v := range vs {
		fmt.Fprintf(w, "| %s | %s | %s |\n", v.Target, v.Measured, v.Met)
	}
}
