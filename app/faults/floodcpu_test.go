package faults

import (
	"fmt"
	"testing"
	"time"

	"golive/media/testpeer"
	"golive/outputs/rtmp/rtmptest"
)

// maxFloodCPURatio bounds golive's CPU beside a ping flood against the
// same run beside a quiet server.
const maxFloodCPURatio = 1.10

// floodWarmUp is left out at the start of TestPingFloodCPU's comparison
// (process start, encoder set-up, connections are not what the flood
// costs), and floodCoolDown before the end (the shutdown).
const (
	floodWarmUp   = 4 * time.Second
	floodCoolDown = time.Second
)

// TestPingFloodCPU runs two `golive live` processes at the same time for
// 20 s, each publishing to a healthy nginx-rtmp and to one more server:
// a quiet one (accepts and discards the stream) for the first, one that
// asks for a 1-byte acknowledgement window and sends pings as fast as
// they are read for the second. Running both at once gives both the same
// machine load; the flooded one may use at most 1.1 times the CPU of the
// other. The two are compared over the same stretch of wall time once
// both are streaming (warm-up and shutdown left out), from CPU readings
// taken with their instants, so that the start-up and a test process
// slow to read stats lines on a busy machine do not count.
func TestPingFloodCPU(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time sessions with real peers")
	}
	testpeer.RequireBinaries(t, "nginx")
	ng := testpeer.StartNginxRTMP(t)
	quiet, flood := rtmptest.Start(t, rtmptest.Quiet), rtmptest.Start(t, rtmptest.PingFlood)
	const d = 20 * time.Second
	run := func(key string, srv *rtmptest.Server) *childRun {
		return startChild(t, append(append([]string{}, hostileArgs...), "--duration", d.String(),
			"--rtmp", ng.RTMPURL("live", key), "--rtmp", srv.URL(key))...)
	}
	a, b := run("quietkey-F1", quiet), run("floodkey-F2", flood)
	for _, r := range []*childRun{a, b} {
		if code := r.wait(t, d+60*time.Second); code != 0 {
			t.Fatalf("golive live exited with %d: %s", code, trim(r.stderr.String()))
		}
	}
	ratio, span := floodCPURatio(t, a, b)
	fb := b.latest().Outputs[1]
	t.Logf("CPU over the whole run beside a quiet server %.3f cores, beside a ping flood %.3f cores (ratio %.3f); "+
		"streaming (after %v of warm-up): %s: ratio %.3f (limit %.2f); "+
		"flood server sent %d MB; pings answered %v, ignored %v, reading paused %v ms; skipped frames %d / %d",
		a.cpuPerSecond(), b.cpuPerSecond(), b.cpuPerSecond()/a.cpuPerSecond(), floodWarmUp, span, ratio,
		maxFloodCPURatio, flood.BytesSent()>>20, fb.Detail["pings_answered"], fb.Detail["pings_ignored"],
		fb.Detail["read_paused_ms"], a.latest().Frames.Skipped, b.latest().Frames.Skipped)
	if ratio > maxFloodCPURatio {
		t.Errorf("CPU ratio %.3f beside a ping flood (limit %.2f)", ratio, maxFloodCPURatio)
	}
	if n, _ := fb.Detail["pings_ignored"].(float64); n == 0 {
		t.Errorf("no ping ignored: %v", fb.Detail)
	}
	if q := a.latest().Outputs[1]; q.Reconnects != 0 || q.FramesSent == 0 {
		t.Errorf("quiet server destination: %+v", q)
	}
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
