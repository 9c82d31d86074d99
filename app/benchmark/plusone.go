package benchmark

import (
	"context"
	"fmt"
	"io"
	"math"
	"strings"
)

// runPlusOne runs GoLive alone, pair by pair: the case c.PlusOneOf names,
// then c (the same with one more destination).
func (h *Harness) runPlusOne(ctx context.Context, c Case, seq, pairs int) CaseResult {
	res := CaseResult{Case: c, Media: h.Media}
	b, ok := caseNamed(c.PlusOneOf)
	if !ok {
		res.GoLive = append(res.GoLive, Run{Err: fmt.Errorf("case %s: no case %q to add a destination to", c.Name, c.PlusOneOf)})
		return res
	}
	for i := range pairs {
		for _, plus := range []bool{false, true} {
			if ctx.Err() != nil {
				return res
			}
			rc := b
			if plus {
				rc = c
			}
			r := h.runOnce(ctx, rc, true, fmt.Sprintf("c%d-p%d-%t", seq, i, plus))
			if plus {
				res.GoLive = append(res.GoLive, r)
			} else {
				res.Base = append(res.Base, r)
			}
			h.logRun(c, i, "golive "+rc.Name, r)
		}
	}
	return res
}

func caseNamed(name string) (Case, bool) {
	for _, c := range Matrix() {
		if c.Name == name {
			return c, true
		}
	}
	return Case{}, false
}

// encoders is the number of video encoders c runs.
func (c Case) encoders() int {
	if c.Second != nil {
		return 2
	}
	return 1
}

// SkipAllowance is how many frames a GoLive run of c may skip and still
// count in the CPU figures: 0.5 % of the frames its encoders should make
// in media time. A run that skipped more did less work than ffmpeg (which
// never skips: it falls behind).
func (c Case) SkipAllowance(media float64) uint64 {
	return uint64(0.005 * media * float64(c.FPS*c.encoders()))
}

// cpuCounts reports whether r's CPU figure counts (no error, skipped
// frames within the allowance).
func (c Case) cpuCounts(r Run, media float64) bool {
	return r.Err == nil && r.Stats.Skipped <= c.SkipAllowance(media)
}

// PlusOne is the cost of one more destination: GoLive's CPU with it minus
// without it, pair by pair.
type PlusOne struct {
	Case Case
	// Delta is the difference in CPU seconds per wall second (cores);
	// DeltaMedia per media second.
	Delta, DeltaMedia Spread
	// Base and Plus are the runs' CPU per wall second (cores).
	Base, Plus Spread
	// Own is the added destination's own CPU in every run with it that
	// did not fail: the CPU time of its sender's thread per second, as
	// GoLive's stats report it (cores; see RunStats.OutputCPU).
	Own   Spread
	Pairs int
}

// Added names the destination c adds to its PlusOneOf case: the last
// one on the main rendition.
func (c Case) Added() string { return fmt.Sprintf("d%d", c.RTMP-1) }

// ownCPU is the added destination's own CPU in run y (NaN when not
// reported).
func (c Case) ownCPU(y Run) float64 {
	if v, ok := y.Stats.OutputCPU[c.Added()]; ok {
		return v
	}
	return math.NaN()
}

// SummarizePlusOne computes the cost of the extra destination of a
// PlusOneOf case; pairs where either run does not count are left out.
func SummarizePlusOne(r CaseResult) PlusOne {
	p := PlusOne{Case: r.Case}
	media := r.Media.Seconds()
	var d, dm, b, q, own []float64
	for i := range min(len(r.Base), len(r.GoLive)) {
		x, y := r.Base[i], r.GoLive[i]
		if !r.Case.cpuCounts(x, media) || !r.Case.cpuCounts(y, media) {
			continue
		}
		d = append(d, y.CPUPerWallS()-x.CPUPerWallS())
		dm = append(dm, y.CPUPerMediaS(r.Media)-x.CPUPerMediaS(r.Media))
		b, q = append(b, x.CPUPerWallS()), append(q, y.CPUPerWallS())
	}
	// The own thread's figure needs no pair: every run with the added
	// destination counts (a few skipped frames barely change what it
	// sends; thread CPU time does not count waiting for a core).
	for _, y := range r.GoLive {
		if v := r.Case.ownCPU(y); y.Err == nil && !math.IsNaN(v) {
			own = append(own, v)
		}
	}
	p.Delta, p.DeltaMedia, p.Base, p.Plus, p.Pairs = NewSpread(d), NewSpread(dm), NewSpread(b), NewSpread(q), len(d)
	p.Own = NewSpread(own)
	return p
}

// Verdict checks the cost of one more destination against issue 18's
// limit, half a percent of a core: on the added destination's own
// measured CPU when GoLive reported it (the A/B difference of whole
// processes, shown beside it, varies by several percent of a core from
// run to run and cannot resolve half a percent), else on the A/B.
func (p PlusOne) Verdict() Verdict {
	name := "one more destination on an existing rendition < 0.5% of a core (" + p.Case.Name + ")"
	ab := fmt.Sprintf("A/B of whole processes %+.2f%% of a core [%+.2f%% to %+.2f%%] (median of %d GoLive pairs, CPU per wall second)",
		100*p.Delta.Median, 100*p.Delta.Min, 100*p.Delta.Max, p.Pairs)
	if m := p.Own.Median; !math.IsNaN(m) {
		return verdict(name, m < 0.005, true, "its own sender thread %.2f%% of a core [%.2f%% to %.2f%%] (median of %d runs); %s",
			100*m, 100*p.Own.Min, 100*p.Own.Max, p.Own.N, ab)
	}
	m := p.Delta.Median
	return verdict(name, m < 0.005, !math.IsNaN(m), "%s", ab)
}

// WritePairs writes every pair of r as a Markdown table: GoLive against
// ffmpeg, or GoLive without and with the extra destination.
func WritePairs(w io.Writer, r CaseResult) {
	media := r.Media.Seconds()
	mark := func(run Run) string {
		switch {
		case run.Err != nil:
			return "failed"
		case !r.Case.cpuCounts(run, media):
			return fmt.Sprintf("%d (left out)", run.Stats.Skipped)
		}
		return fmt.Sprint(run.Stats.Skipped)
	}
	if r.Case.PlusOneOf != "" {
		fmt.Fprintf(w, "| pair | %s (cores, CPU/wall) | %s (cores, CPU/wall) | one more destination, A/B (%% of a core) | %s's own thread (%% of a core) | skipped frames | rest of the machine (cores) |\n",
			r.Case.PlusOneOf, r.Case.Name, r.Case.Added())
		fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
		for i := range min(len(r.Base), len(r.GoLive)) {
			x, y := r.Base[i], r.GoLive[i]
			fmt.Fprintf(w, "| %d | %.3f | %.3f | %+.2f | %s | %s / %s | %.2f / %.2f |\n", i+1, x.CPUPerWallS(), y.CPUPerWallS(),
				100*(y.CPUPerWallS()-x.CPUPerWallS()), percent(r.Case.ownCPU(y)), mark(x), mark(y), x.Others, y.Others)
		}
		return
	}
	fmt.Fprintln(w, "| pair | GoLive CPU (cores) | ffmpeg CPU (cores) | ratio | GoLive skipped frames | rest of the machine (cores) |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	for i := range min(len(r.GoLive), len(r.FFmpeg)) {
		g, f := r.GoLive[i], r.FFmpeg[i]
		fmt.Fprintf(w, "| %d | %.3f | %.3f | %.2f | %s | %.2f / %.2f |\n", i+1, g.CPUPerMediaS(r.Media), f.CPUPerMediaS(r.Media),
			g.CPUPerMediaS(r.Media)/f.CPUPerMediaS(r.Media), mark(g), g.Others, f.Others)
	}
}

// WriteRenditionCases writes, for the cases of issue 18 in rs, both
// programs' command lines and every pair.
func WriteRenditionCases(w io.Writer, rs []CaseResult) {
	for _, r := range rs {
		c := r.Case
		if c.Second == nil {
			continue
		}
		fmt.Fprintf(w, "#### %s, every pair\n\n", c.Name)
		if c.PlusOneOf == "" {
			e := Endpoints{}
			for k := range c.Destinations() {
				e.RTMP = append(e.RTMP, fmt.Sprintf("rtmp://127.0.0.1:PORT/live/KEY-%d", k))
			}
			fmt.Fprintln(w, "```")
			for _, a := range c.GoLiveSetup(e) {
				fmt.Fprintln(w, "golive "+shellJoin(a))
			}
			fmt.Fprintln(w, "golive "+shellJoin(c.GoLiveArgs(e, r.Media)))
			fmt.Fprintln(w, "ffmpeg "+shellJoin(c.FFmpegArgs(e, r.Media)))
			fmt.Fprintln(w, "```")
			fmt.Fprintln(w)
		}
		WritePairs(w, r)
		fmt.Fprintln(w)
	}
}

// shellJoin writes args as a POSIX shell command line.
func shellJoin(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a != "" && strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=.,:/+@%") == "" {
			out[i] = a
			continue
		}
		out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(out, " ")
}

// percent writes a share of a core in percent, "n/a" when unknown.
func percent(v float64) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	return fmt.Sprintf("%.3f", 100*v)
}
