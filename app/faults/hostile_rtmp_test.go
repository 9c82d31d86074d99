package faults

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"golive/media/testpeer"
	"golive/outputs/rtmp/rtmptest"
)

// Settings of the hostile-server runs (the test source, as the other
// fault tests use).
var hostileArgs = []string{"--source", "test", "--audio", "test", "--size", "854x480", "--video-bitrate", "1500k"}

// Limits of TestHostileRTMPServers.
const (
	hostileRun    = 60 * time.Second // the storm check needs a minute
	maxExitLag    = 2 * time.Second
	maxPeakRSSKB  = 200 << 10
	maxPublishes  = 8 // against publish-then-close in 60 s (a reset backoff gives ~20)
	skipMarginAbs = 30
)

// hostileCase is one hostile server of the run and the error its
// destination must show.
type hostileCase struct {
	b    rtmptest.Behaviour
	want string
	srv  *rtmptest.Server
}

// TestHostileRTMPServers runs the real `golive live` (in a child process)
// for 60 s publishing at once to a healthy nginx-rtmp, to one server of
// each hostile behaviour of outputs/rtmp/rtmptest, to a server that
// accepts TCP and never answers, and to an nginx whose path turns into a
// black hole 8 s before the end (a destination hung while live). It
// checks that the process exits 0 within 2 s of the end of --duration,
// that its peak RSS stays under 200 MB, that the healthy destination's
// pulled stream has no timestamp gap and no decode error, that the
// encoder skipped no more frames than a run without the hostile servers
// beside it (the same 60 s, so the same machine load: 1.25 times its
// skips plus 30 frames), that every hostile
// destination shows its specific error in --stats json, and that the
// publish-then-close server saw at most 8 publishes.
func TestHostileRTMPServers(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time sessions with real peers")
	}
	testpeer.RequireBinaries(t, "nginx", "ffprobe")
	ng := testpeer.StartNginxRTMP(t)

	cases := []*hostileCase{
		{b: rtmptest.OversizedMessage, want: "server sent a 16 MB message (limit 1 MB)"},
		{b: rtmptest.ManyChunkStreams, want: "server left more than 2 MB in unfinished messages (limit 2 MB)"},
		{b: rtmptest.HugeArrayConnect, want: "server sent a malformed _result: AMF0: a strict array of 2147483647 elements"},
		{b: rtmptest.HugeArrayOnStatus, want: "server sent a malformed onStatus: AMF0: a strict array of 2147483647 elements"},
		{b: rtmptest.DeepNesting, want: "server sent a 4 MB message (limit 1 MB)"},
		{b: rtmptest.PingFlood, want: "server is flooding control messages"},
		{b: rtmptest.PublishThenClose, want: "after publish, 3 times in a row"},
		{b: rtmptest.BadS0, want: "server answered with RTMP version 255 in S0 (want 3)"},
		{b: rtmptest.GarbageConnect, want: "server refused connect: no status given"},
	}
	args := append(append([]string{}, hostileArgs...), "--duration", hostileRun.String(),
		"--rtmp", ng.RTMPURL("live", "healthykey-R2"))
	for _, c := range cases {
		c.srv = rtmptest.Start(t, c.b)
		args = append(args, "--rtmp", c.srv.URL(string(c.b)+"-key"))
	}
	silent := testpeer.StartTCPProxy(t, "127.0.0.1:1")
	silent.SetMode(testpeer.ProxyBlackHole)
	hang := testpeer.StartTCPProxy(t, fmt.Sprintf("127.0.0.1:%d", ng.RTMPPort))
	args = append(args, "--rtmp", "rtmp://"+silent.Addr()+"/live/silentkey-R3", "--rtmp", "rtmp://"+hang.Addr()+"/live/hangkey-R4")
	pull := testpeer.StartRTMPPullFor(t, ng, "live", "healthykey-R2", 4*time.Minute)
	base := startChild(t, append(append([]string{}, hostileArgs...), "--duration", hostileRun.String(),
		"--rtmp", ng.RTMPURL("live", "basekey-R1"))...)
	run := startChild(t, args...)
	time.AfterFunc(hostileRun-8*time.Second, func() { hang.SetMode(testpeer.ProxyBlackHole) })
	if code := run.wait(t, hostileRun+90*time.Second); code != 0 {
		t.Fatalf("golive live exited with %d: %s", code, trim(run.stderr.String()))
	}
	if code := base.wait(t, 30*time.Second); code != 0 {
		t.Fatalf("baseline run exited with %d: %s", code, trim(base.stderr.String()))
	}
	baseSkipped := base.latest().Frames.Skipped
	final := run.latest()
	a := pull.Wait(t)

	lag := run.exitLag(hostileRun)
	t.Logf("exit %v after the end of --duration; peak RSS %d MB; CPU %.2f cores; skipped %d (baseline beside it %d)",
		lag.Round(time.Millisecond), run.hwmKB>>10, run.cpuPerSecond(), final.Frames.Skipped, baseSkipped)
	if lag > maxExitLag {
		t.Errorf("exited %v after the end of --duration (limit %v)", lag, maxExitLag)
	}
	if run.hwmKB > maxPeakRSSKB {
		t.Errorf("peak RSS %d MB (limit %d MB)", run.hwmKB>>10, maxPeakRSSKB>>10)
	}
	allowed := baseSkipped*5/4 + skipMarginAbs
	if final.Frames.Skipped > allowed {
		t.Errorf("the encoder skipped %d frames beside the hostile servers, %d in the same %v without them (allowed %d)",
			final.Frames.Skipped, baseSkipped, hostileRun, allowed)
	}
	checkAllStopped(t, final)
	checkHealthyPull(t, a, final.Outputs[0].FramesSent, final.Frames.Skipped)
	if st := run.notes(0); len(st) > 0 || final.Outputs[0].Reconnects != 0 || final.Outputs[0].Dropped != 0 {
		t.Errorf("healthy destination disturbed: %q, %+v", st, final.Outputs[0])
	}
	for i, c := range cases {
		notes := run.notes(i + 1)
		if !containsAny(notes, c.want) {
			t.Errorf("%s: the destination showed %q, want %q", c.b, notes, c.want)
		}
		t.Logf("%s: %d connections, %d publishes; shown: %q", c.b, c.srv.Connections(), c.srv.Publishes(), last(notes))
	}
	storm := cases[6].srv.Publishes()
	if storm > maxPublishes {
		t.Errorf("%d publishes in %v against publish-then-close (limit %d)", storm, hostileRun, maxPublishes)
	}
	if n, _ := final.Outputs[6].Detail["pings_ignored"].(float64); n == 0 {
		t.Errorf("ping flood: detail %v shows no ignored pings", final.Outputs[6].Detail)
	}
	for i, name := range []string{"silent server", "hung while live"} {
		st := run.all()
		t.Logf("%s: %q; state before the end %s, queue %.0f ms", name, last(run.notes(1+len(cases)+i)),
			st[len(st)-2].Outputs[1+len(cases)+i].State, st[len(st)-2].Outputs[1+len(cases)+i].QueueMs)
	}
}

func containsAny(list []string, want string) bool {
	for _, s := range list {
		if strings.Contains(s, want) {
			return true
		}
	}
	return false
}

func last(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[len(list)-1]
}

// Limits of checkHealthyPull: the largest step between the pulled
// stream's frames (a frame is 33 ms), and how far a machine too busy for
// the encoder (frames skipped, which the skip check bounds) may stretch it.
const (
	maxPullGap     = 100 * time.Millisecond
	maxPullGapBusy = time.Second
)

// checkHealthyPull: the healthy destination's stream, pulled from nginx
// while it was published, decodes without error and without a gap in
// its video timestamps.
func checkHealthyPull(t *testing.T, a *testpeer.Analysis, sent, skipped uint64) {
	t.Helper()
	var times []float64
	for _, f := range a.Frames {
		if f.MediaType == "video" {
			times = append(times, f.Time())
		}
	}
	sort.Float64s(times)
	gap := 0.0
	for i := 1; i < len(times); i++ {
		gap = math.Max(gap, times[i]-times[i-1])
	}
	t.Logf("healthy pull: %d video frames of %d sent, %d decode errors, largest timestamp step %.0f ms",
		len(times), sent, len(a.Errors), gap*1000)
	if len(a.Errors) > 0 {
		t.Errorf("healthy pull: decode errors %q", a.Errors[:min(4, len(a.Errors))])
	}
	limit := maxPullGap
	if skipped > 0 { // the encoder's own gaps: frames never made, not lost on the way
		limit = maxPullGapBusy
		t.Logf("healthy pull: the encoder skipped %d frames on this busy machine: timestamp steps up to %v allowed (else %v)",
			skipped, limit, maxPullGap)
	}
	if gap > limit.Seconds() || len(times)+30 < int(sent) {
		t.Errorf("healthy pull: %d frames of %d sent, a %.0f ms gap between frames (limit %v)", len(times), sent, gap*1000, limit)
	}
}
