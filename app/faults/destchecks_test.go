package faults

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"golive/media/testpeer"
	"golive/outputs/dest"
	"golive/outputs/rtmp"
)

// rxSummary describes what a receiver decoded against what was sent.
func rxSummary(c *destCase) string {
	if c.rx == nil {
		return "nothing published"
	}
	return fmt.Sprintf("%d of %d frames decoded, %d decode errors", c.rx.Frames(), c.final.FramesSent, len(c.rx.Errors()))
}

// Limits that relax when the machine was overloaded during the run (CPU
// pressure above busyCPUPressure, logged): a process starved of CPU for
// longer than an RTMP destination's queue (900 ms) drops video until the
// next key frame even towards a healthy server.
const (
	busyCPUPressure = 0.5
	maxRefDropBusy  = 0.15 // of the frames encoded, by the reference
	extraQueueBusy  = 2000 // ms over the throttled destination's queue limit
)

// checkReference: the healthy destination keeps every frame the encoder
// produced, never reconnects, and its receiver decodes all of them. On an
// overloaded machine it may drop up to maxRefDropBusy of the video
// (counted, and at key-frame boundaries: the receiver still decodes every
// frame sent).
func checkReference(t *testing.T, c *destCase, run *liveRun, i int) {
	enc := run.latest().Frames.Encoded
	c.received = rxSummary(c)
	dropped := c.final.Dropped
	if run.overloaded && dropped > 0 {
		t.Logf("overloaded machine: the reference dropped %d video frames of %d (limit %.0f%%)", dropped, enc, maxRefDropBusy*100)
		if float64(dropped) <= maxRefDropBusy*float64(enc) {
			dropped = 0
		}
	}
	if dropped != 0 || c.final.DroppedAudio != 0 || c.final.Reconnects != 0 {
		t.Errorf("reference was disturbed: %+v", c.final)
	}
	if c.final.FramesSent+c.final.Dropped+3 < enc || !run.overloaded && c.final.FramesSent+3 < enc {
		t.Errorf("reference sent %d frames of %d encoded (%d dropped)", c.final.FramesSent, enc, c.final.Dropped)
	}
	got := c.rx.Frames()
	if got > int(c.final.FramesSent) || got+3 < int(c.final.FramesSent) || len(c.rx.Errors()) > 0 {
		t.Errorf("reference receiver: %s: %q", c.received, c.rx.Errors())
	}
	if st := run.states(i); len(st) > 3 || !contains(st, dest.StateLive) {
		t.Errorf("reference states: %s", stateList(st))
	}
}

// checkFailed returns a check for a destination that can never go live:
// it reports the wanted state and a clear error, and hammers no server.
// A destination retrying is "connecting" during each attempt.
func checkFailed(want dest.State, extra func(*testing.T)) func(*testing.T, *destCase, *liveRun, int) {
	return func(t *testing.T, c *destCase, run *liveRun, i int) {
		c.received = rxSummary(c)
		st := run.beforeEnd(i)
		okState := st.State == want || want == dest.StateReconnecting && st.State == dest.StateConnecting
		if !okState || !strings.Contains(st.LastError, c.wantError) {
			t.Errorf("state %s, error %q; want %s with %q", st.State, st.LastError, want, c.wantError)
		}
		if contains(run.states(i), dest.StateLive) || c.final.FramesSent != 0 {
			t.Errorf("went live: states %s, %d frames sent", stateList(run.states(i)), c.final.FramesSent)
		}
		// Backoff: 2 s, then x1.5 (fatal errors wait 5 min): at most ~8
		// attempts in 40 s.
		if c.final.Reconnects > 8 {
			t.Errorf("%d reconnects in 40 s: backoff not applied", c.final.Reconnects)
		}
		if extra != nil {
			extra(t)
		}
	}
}

// checkReconnected: after a reset the destination reconnects by itself,
// ends live, and the receiver decodes cleanly on both sides of the gap.
func checkReconnected(t *testing.T, c *destCase, run *liveRun, i int) {
	c.received = rxSummary(c)
	st := run.beforeEnd(i)
	if c.final.Reconnects < 1 || st.State != dest.StateLive {
		t.Errorf("after a reset: state %s, reconnects %d, states %s", st.State, c.final.Reconnects, stateList(run.states(i)))
	}
	if got := c.rx.Frames(); got < int(c.final.FramesSent)*3/4 || len(c.rx.Errors()) > 0 {
		t.Errorf("receiver after a reset: %s: %q", c.received, c.rx.Errors())
	}
}

// checkThrottled: a destination far slower than the stream drops video
// until the next key frame (counted) with a bounded queue, or reconnects;
// it never fails for good, and what gets through decodes cleanly.
func checkThrottled(t *testing.T, c *destCase, run *liveRun, i int) {
	c.received = rxSummary(c)
	if c.final.Dropped == 0 && c.final.Reconnects == 0 {
		t.Errorf("a 100 kbit/s path carried a 1.6 Mbit/s stream without drops or reconnects: %+v", c.final)
	}
	limit := 2*float64(rtmp.MaxQueuePFrames/time.Millisecond) + 300
	if run.overloaded {
		limit += extraQueueBusy
		t.Logf("overloaded machine: queue limit %.0f ms", limit)
	}
	if q := run.maxQueue(i); q > limit {
		t.Errorf("queue reached %.0f ms (limit %.0f)", q, limit)
	}
	if contains(run.states(i), dest.StateFailed) {
		t.Errorf("throttled destination failed: %s", stateList(run.states(i)))
	}
	if len(c.rx.Errors()) > 0 {
		t.Errorf("receiver behind the throttle: %s: %q", c.received, c.rx.Errors()[:min(4, len(c.rx.Errors()))])
	}
}

// checkRecovered: once the paused server resumes the destination is live
// again and its receiver decodes cleanly.
func checkRecovered(t *testing.T, c *destCase, run *liveRun, i int) {
	c.received = rxSummary(c)
	if st := run.beforeEnd(i); st.State != dest.StateLive {
		t.Errorf("after SIGCONT: state %s (%s), states %s", st.State, st.LastError, stateList(run.states(i)))
	}
	if c.rx.Frames() < 300 || len(c.rx.Errors()) > 0 {
		t.Errorf("receiver of the paused server: %s: %q", c.received, c.rx.Errors())
	}
}

// checkRecording: the recording beside the faults holds every frame.
func checkRecording(t *testing.T, path string, encoded uint64, st dest.Status) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	a, err := testpeer.Analyze(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if n := a.Count("video"); uint64(n) != encoded || len(a.Errors) > 0 || st.Dropped != 0 {
		t.Errorf("recording: %d frames of %d encoded, dropped %d, errors %q", n, encoded, st.Dropped, a.Errors)
	}
}

// checkNoKeys: no stream key appears in the stats or the log.
func checkNoKeys(t *testing.T, run *liveRun, cases []*destCase) {
	t.Helper()
	out := run.stdout.String() + run.stderr.String()
	for _, c := range cases {
		if strings.Contains(out, c.key) {
			t.Errorf("stream key of %q shows in the output", c.fault)
		}
	}
}

func contains(s []dest.State, x dest.State) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

// writeFaultTable logs the measured fault table (and writes it to
// $GOLIVE_FAULTS_TABLE when set) for the README.
func writeFaultTable(t *testing.T, cases []*destCase, run *liveRun) {
	var b strings.Builder
	b.WriteString("| fault | what the user sees (states; error) | this destination's receiver | reference receiver |\n|---|---|---|---|\n")
	ref := cases[0]
	for i, c := range cases {
		errs := run.errorsSeen(i)
		last := ""
		if len(errs) > 0 {
			last = errs[len(errs)-1]
		}
		fmt.Fprintf(&b, "| %s | %s; reconnects %d, dropped %d; `%s` | %s | %s |\n", c.fault, stateList(run.states(i)),
			c.final.Reconnects, c.final.Dropped, last, c.received, ref.received)
	}
	t.Logf("fault table:\n%s", b.String())
	if p := os.Getenv("GOLIVE_FAULTS_TABLE"); p != "" {
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Error(err)
		}
	}
}
