package faults

import (
	"testing"
	"time"

	"golive/media/testpeer"
	"golive/outputs/rtmp/rtmptest"
)

// maxFloodCPURatio bounds golive's CPU beside a ping flood against the
// same run beside a quiet server.
const maxFloodCPURatio = 1.10

// TestPingFloodCPU runs two `golive live` processes at the same time for
// 20 s, each publishing to a healthy nginx-rtmp and to one more server:
// a quiet one (accepts and discards the stream) for the first, one that
// asks for a 1-byte acknowledgement window and sends pings as fast as
// they are read for the second. Running both at once gives both the same
// machine load; the flooded one may use at most 1.1 times the CPU of the
// other.
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
	ca, cb := a.cpuPerSecond(), b.cpuPerSecond()
	fb := b.latest().Outputs[1]
	ratio := cb / ca
	t.Logf("CPU beside a quiet server %.3f cores, beside a ping flood %.3f cores: ratio %.3f (limit %.2f); "+
		"flood server sent %d MB; pings answered %v, ignored %v, reading paused %v ms; skipped frames %d / %d",
		ca, cb, ratio, maxFloodCPURatio, flood.BytesSent()>>20, fb.Detail["pings_answered"], fb.Detail["pings_ignored"],
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
