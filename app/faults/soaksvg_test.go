package faults

import (
	"fmt"
	"math"
	"runtime"
	"strings"
)

func numCPU() int { return runtime.NumCPU() }

// soakSVG draws four panels over time: RSS and Go heap, goroutines,
// output drops, and the engine's A/V offset.
func soakSVG(s []soakSample) string {
	const w, panelH, left, top = 800, 150, 70, 30
	panels := []struct {
		title string
		unit  string
		lines []func(soakSample) float64
		names []string
		fixed [2]float64 // y range floor (min, max); max grows with data
	}{
		{"memory", "MB", []func(soakSample) float64{
			func(x soakSample) float64 { return x.RSSMB }, func(x soakSample) float64 { return x.HeapMB }},
			[]string{"RSS", "Go heap"}, [2]float64{0, 50}},
		{"goroutines", "", []func(soakSample) float64{func(x soakSample) float64 { return float64(x.Goroutines) }},
			[]string{"goroutines"}, [2]float64{0, 10}},
		{"frames dropped by outputs (cumulative)", "", []func(soakSample) float64{
			func(x soakSample) float64 { return float64(x.Dropped) }}, []string{"dropped"}, [2]float64{0, 10}},
		{"engine A/V offset", "ms", []func(soakSample) float64{func(x soakSample) float64 { return x.AVOffsetMs }},
			[]string{"offset"}, [2]float64{-20, 20}},
	}
	colors := []string{"#1f77b4", "#ff7f0e"}
	height := top + len(panels)*(panelH+40) + 20
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", w, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	tmax := 1.0
	if len(s) > 0 {
		tmax = max(1, s[len(s)-1].ElapsedS)
	}
	plotW := float64(w - left - 30)
	for i, p := range panels {
		y0 := float64(top + i*(panelH+40))
		lo, hi := p.fixed[0], p.fixed[1]
		for _, f := range p.lines {
			for _, x := range s {
				v := f(x)
				lo, hi = math.Min(lo, v), math.Max(hi, v*1.1)
			}
		}
		fmt.Fprintf(&b, `<text x="%d" y="%.0f" font-weight="bold">%s</text>`+"\n", left, y0-8, p.title)
		fmt.Fprintf(&b, `<rect x="%d" y="%.0f" width="%.0f" height="%d" fill="none" stroke="#999"/>`+"\n", left, y0, plotW, panelH)
		fmt.Fprintf(&b, `<text x="%d" y="%.0f" text-anchor="end">%.4g %s</text>`+"\n", left-4, y0+10, hi, p.unit)
		fmt.Fprintf(&b, `<text x="%d" y="%.0f" text-anchor="end">%.4g %s</text>`+"\n", left-4, y0+panelH, lo, p.unit)
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" text-anchor="end">%.0f s</text>`+"\n", float64(left)+plotW, y0+panelH+14, tmax)
		for j, f := range p.lines {
			var pts []string
			for _, x := range s {
				px := float64(left) + x.ElapsedS/tmax*plotW
				py := y0 + panelH - (f(x)-lo)/(hi-lo)*panelH
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", px, py))
			}
			c := colors[j%len(colors)]
			fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="1.5" points="%s"/>`+"\n", c, strings.Join(pts, " "))
			fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" fill="%s">%s</text>`+"\n", float64(left)+plotW-120+float64(j)*60, y0-8, c, p.names[j])
		}
	}
	b.WriteString("</svg>\n")
	return b.String()
}
