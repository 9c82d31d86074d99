package benchmark

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// Summary is the figures of one case.
type Summary struct {
	Case                 Case
	GoCPU, FFCPU, Ratio  Spread // CPU seconds per media second (cores)
	GoRSS, FFRSS         Spread // peak RSS, MB
	P50, P99             Spread // GoLive capture-to-wire latency, ms
	DqP50, DqP99         Spread // GoLive capture to the RTMP muxer's read, ms
	GoFirst, FFFirst     Spread // process start to first video tag, ms
	Others               Spread // rest of the machine during the runs, cores
	Steal                Spread // of which the host's steal, cores
	Drops, Reconnects    uint64 // GoLive, over all runs
	Skipped              uint64 // GoLive frames skipped by the encoder
	GoErrors, FFErrors   []string
	GoRuns, FFRuns, Pair int
}

// Summarize computes the figures of r.
func Summarize(r CaseResult) Summary {
	s := Summary{Case: r.Case}
	var gc, fc, gr, fr, p50, p99, dq50, dq99, gf, ff, others, steal []float64
	for _, run := range append(slices.Clone(r.GoLive), r.FFmpeg...) {
		if run.Err == nil {
			others = append(others, run.Others)
			steal = append(steal, run.Steal)
		}
	}
	s.Others, s.Steal = NewSpread(others), NewSpread(steal)
	for _, g := range r.GoLive {
		if g.Err != nil {
			s.GoErrors = append(s.GoErrors, g.Err.Error())
			gc = append(gc, math.NaN())
			continue
		}
		s.GoRuns++
		if r.Case.cpuCounts(g, r.Media.Seconds()) {
			gc = append(gc, g.CPUPerMediaS(r.Media))
		} else {
			gc = append(gc, math.NaN())
			s.GoErrors = append(s.GoErrors, fmt.Sprintf("skipped %d frames (more than %d): left out of the CPU figures",
				g.Stats.Skipped, r.Case.SkipAllowance(r.Media.Seconds())))
		}
		gr = append(gr, float64(g.MaxRSSKB)/1024)
		p50 = append(p50, g.Stats.LatencyP50Ms)
		p99 = append(p99, g.Stats.LatencyP99Ms)
		dq50 = append(dq50, g.Stats.DequeueP50Ms)
		dq99 = append(dq99, g.Stats.DequeueP99Ms)
		gf = append(gf, firstMs(g.FirstVideo))
		s.Drops += g.Stats.Dropped
		s.Reconnects += g.Stats.Reconnects
		s.Skipped += g.Stats.Skipped
	}
	for _, f := range r.FFmpeg {
		if f.Err != nil {
			s.FFErrors = append(s.FFErrors, f.Err.Error())
			fc = append(fc, math.NaN())
			continue
		}
		s.FFRuns++
		fc = append(fc, f.CPUPerMediaS(r.Media))
		fr = append(fr, float64(f.MaxRSSKB)/1024)
		ff = append(ff, firstMs(f.FirstVideo))
	}
	n := min(len(gc), len(fc))
	ratios, _ := Ratios(gc[:n], fc[:n])
	s.Pair = n
	s.GoCPU, s.FFCPU, s.Ratio = NewSpread(gc), NewSpread(fc), NewSpread(ratios)
	s.GoRSS, s.FFRSS = NewSpread(gr), NewSpread(fr)
	s.P50, s.P99 = NewSpread(p50), NewSpread(p99)
	s.DqP50, s.DqP99 = NewSpread(dq50), NewSpread(dq99)
	s.GoFirst, s.FFFirst = NewSpread(gf), NewSpread(ff)
	return s
}

func firstMs(d time.Duration) float64 {
	if d <= 0 {
		return math.NaN()
	}
	return float64(d) / float64(time.Millisecond)
}

// PerDestinationCost is the least-squares slope of median CPU (cores)
// over the number of RTMP destinations, for the cases of one resolution
// and bit rate; ok is false with fewer than two such cases.
func PerDestinationCost(ss []Summary, width, kbps int, golive bool) (float64, bool) {
	var x, y []float64
	for _, s := range ss {
		if s.Case.Width != width || s.Case.VideoKbps != kbps || s.Case.Screen || s.Case.Second != nil {
			continue
		}
		v := s.FFCPU.Median
		if golive {
			v = s.GoCPU.Median
		}
		if math.IsNaN(v) {
			continue
		}
		x, y = append(x, float64(s.Case.RTMP)), append(y, v)
	}
	sl := Slope(x, y)
	return sl, !math.IsNaN(sl)
}

func fmtSpread(s Spread, prec int) string {
	if s.N == 0 {
		return "n/a"
	}
	if s.N == 1 {
		return fmt.Sprintf("%.*f", prec, s.Median)
	}
	return fmt.Sprintf("%.*f [%.*f–%.*f]", prec, s.Median, prec, s.Min, prec, s.Max)
}

// WriteTables writes the per-case Markdown tables.
func WriteTables(w io.Writer, ss []Summary) {
	fmt.Fprintln(w, "| case | pairs | GoLive CPU (cores) | ffmpeg CPU (cores) | ratio GoLive/ffmpeg | GoLive peak RSS (MB) | ffmpeg peak RSS (MB) | rest of the machine (cores) | of which host steal (cores) |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|")
	for _, s := range ss {
		fmt.Fprintf(w, "| %s | %d | %s | %s | **%s** | %s | %s | %s | %s |\n", s.Case.Name, s.Pair,
			fmtSpread(s.GoCPU, 3), fmtSpread(s.FFCPU, 3), fmtSpread(s.Ratio, 2),
			fmtSpread(s.GoRSS, 0), fmtSpread(s.FFRSS, 0), fmtSpread(s.Others, 2), fmtSpread(s.Steal, 2))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| case | GoLive capture→wire p50 (ms) | p99 (ms) | of which capture→muxer p50 / p99 (ms) | GoLive start→first video tag (ms) | ffmpeg start→first video tag (ms) | GoLive drops / reconnects / skipped frames |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	for _, s := range ss {
		fmt.Fprintf(w, "| %s | %s | %s | %s / %s | %s | %s | %d / %d / %d |\n", s.Case.Name,
			fmtSpread(s.P50, 1), fmtSpread(s.P99, 1), fmtSpread(s.DqP50, 1), fmtSpread(s.DqP99, 1),
			fmtSpread(s.GoFirst, 0), fmtSpread(s.FFFirst, 0), s.Drops, s.Reconnects, s.Skipped)
	}
	var errs []string
	for _, s := range ss {
		for _, e := range s.GoErrors {
			errs = append(errs, fmt.Sprintf("- %s golive: %s", s.Case.Name, oneLine(e)))
		}
		for _, e := range s.FFErrors {
			errs = append(errs, fmt.Sprintf("- %s ffmpeg: %s", s.Case.Name, oneLine(e)))
		}
	}
	if len(errs) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Runs left out (of all figures when failed, of the CPU figures when frames were skipped):")
		fmt.Fprintln(w)
		fmt.Fprintln(w, strings.Join(errs, "\n"))
	}
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
