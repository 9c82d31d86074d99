package faults

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"golive/media/testpeer"
	"golive/outputs/rtmp/rtmptest"
)

// Limits of TestPingFloodCPU: golive's CPU beside a ping flood against the
// same run beside a quiet server, the median of floodPairs pairs. Past
// floodLoadPSI of the wall time with some task waiting for a CPU (Linux
// PSI) the machine is too busy for a 10 % figure: the limit relaxes to
// maxFloodCPURatioLoaded, which still fails a flood that costs CPU per
// message (before the flood control it cost +0.55 of a core, a ratio
// above 3).
const (
	maxFloodCPURatio       = 1.10
	maxFloodCPURatioLoaded = 1.25
	floodLoadPSI           = 0.50
	floodPairs             = 3
	floodRunTime           = 15 * time.Second
)

// floodWarmUp is left out at the start of the streaming-span comparison
// (process start, encoder set-up, connections are not what the flood
// costs), and floodCoolDown before the end (the shutdown).
const (
	floodWarmUp   = 4 * time.Second
	floodCoolDown = time.Second
)

// floodPair is one pair's CPU figures (cores) and ratios.
type floodPair struct {
	quietWhole, floodWhole float64 // whole life: rusage / start→exit
	whole, streaming       float64 // flood over quiet
	span                   string
}

// TestPingFloodCPU runs floodPairs pairs of `golive live` processes for
// floodRunTime each, the two of a pair at the same time (same binary,
// same duration, same machine load; which one starts first alternates),
// each publishing to a healthy nginx-rtmp and to one more server: a quiet
// one (accepts and discards the stream) for the first, one that asks for
// a 1-byte acknowledgement window and sends pings as fast as they are
// read for the second. Over the whole run (every CPU tick of the process,
// from its rusage, per second from start to exit) and over the span both
// stream (warm-up and shutdown left out), the median ratio of the pairs
// must stay within maxFloodCPURatio (maxFloodCPURatioLoaded under load).
func TestPingFloodCPU(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time sessions with real peers")
	}
	testpeer.RequireBinaries(t, "nginx")
	ng := testpeer.StartNginxRTMP(t)
	quiet, flood := rtmptest.Start(t, rtmptest.Quiet), rtmptest.Start(t, rtmptest.PingFlood)
	psi := testpeer.ReadCPUPressure()
	var whole, streaming []float64
	for i := range floodPairs {
		p := runFloodPair(t, i, ng, quiet, flood)
		whole, streaming = append(whole, p.whole), append(streaming, p.streaming)
		t.Logf("pair %d: whole run %.3f cores beside a quiet server, %.3f beside the flood: ratio %.3f; streaming: %s: ratio %.3f",
			i+1, p.quietWhole, p.floodWhole, p.whole, p.span, p.streaming)
	}
	limit := maxFloodCPURatio
	share, ok := psi.Share()
	if ok && share > floodLoadPSI {
		limit = maxFloodCPURatioLoaded
		t.Logf("machine under load: some task waited for a CPU %.0f%% of the time (PSI; over %.0f%%): limit relaxed to %.2f",
			share*100, floodLoadPSI*100, limit)
	}
	mw, ms := median(whole), median(streaming)
	t.Logf("median CPU ratio beside a ping flood: whole run %.3f %v, streaming %.3f %v (limit %.2f; CPU pressure %.0f%%, known %v); flood server sent %d MB",
		mw, whole, ms, streaming, limit, share*100, ok, flood.BytesSent()>>20)
	if mw > limit {
		t.Errorf("CPU over the whole run beside a ping flood: median ratio %.3f of %v (limit %.2f)", mw, whole, limit)
	}
	if ms > limit {
		t.Errorf("CPU while streaming beside a ping flood: median ratio %.3f of %v (limit %.2f)", ms, streaming, limit)
	}
}

// runFloodPair runs pair i (the quiet run first when i is even) and
// checks that the flood was met by the flood control.
func runFloodPair(t *testing.T, i int, ng *testpeer.Nginx, quiet, flood *rtmptest.Server) floodPair {
	t.Helper()
	run := func(key string, srv *rtmptest.Server) *childRun {
		return startChild(t, append(append([]string{}, hostileArgs...), "--duration", floodRunTime.String(),
			"--rtmp", ng.RTMPURL("live", key), "--rtmp", srv.URL(key))...)
	}
	var a, b *childRun
	if i%2 == 0 {
		a = run(fmt.Sprintf("quietkey-F%d", i), quiet)
		b = run(fmt.Sprintf("floodkey-F%d", i), flood)
	} else {
		b = run(fmt.Sprintf("floodkey-F%d", i), flood)
		a = run(fmt.Sprintf("quietkey-F%d", i), quiet)
	}
	for _, r := range []*childRun{a, b} {
		if code := r.wait(t, floodRunTime+60*time.Second); code != 0 {
			t.Fatalf("golive live exited with %d: %s", code, trim(r.stderr.String()))
		}
	}
	p := floodPair{quietWhole: a.wholeRunCPU(), floodWhole: b.wholeRunCPU()}
	if p.quietWhole <= 0 {
		t.Fatalf("pair %d: no CPU time for the quiet run", i+1)
	}
	p.whole = p.floodWhole / p.quietWhole
	p.streaming, p.span = floodCPURatio(t, a, b)
	fb := b.latest().Outputs[1]
	t.Logf("pair %d: pings answered %v, ignored %v, reading paused %v ms; skipped frames %d / %d", i+1,
		fb.Detail["pings_answered"], fb.Detail["pings_ignored"], fb.Detail["read_paused_ms"],
		a.latest().Frames.Skipped, b.latest().Frames.Skipped)
	if n, _ := fb.Detail["pings_ignored"].(float64); n == 0 {
		t.Errorf("pair %d: no ping ignored: %v", i+1, fb.Detail)
	}
	if q := a.latest().Outputs[1]; q.Reconnects != 0 || q.FramesSent == 0 {
		t.Errorf("pair %d: quiet server destination: %+v", i+1, q)
	}
	return p
}

// median is the middle value of v (the upper one of an even count).
func median(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	return s[len(s)/2]
}

// floodCPURatio returns b's CPU over a's across the wall time both were
// streaming, after floodWarmUp and before floodCoolDown, and that span.
func floodCPURatio(t *testing.T, a, b *childRun) (float64, string) {
	t.Helper()
	a0, a1 := a.statsSpan()
	b0, b1 := b.statsSpan()
	from, to := maxTime(a0, b0).Add(floodWarmUp-time.Second), minTime(a1, b1).Add(-floodCoolDown)
	ca, okA := a.cpuBetween(from, to)
	cb, okB := b.cpuBetween(from, to)
	if !okA || !okB || ca <= 0 {
		t.Fatalf("no CPU figures for the %v both runs streamed (%d and %d stats lines)", to.Sub(from), len(a.all()), len(b.all()))
	}
	return cb / ca, fmt.Sprintf("%.3f cores beside the flood, %.3f beside the quiet server over %v", cb, ca, to.Sub(from).Round(100*time.Millisecond))
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
