package faults

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"golive/app/session"
	"golive/media/testpeer"
	"golive/outputs/dest"
)

// TestInterruptWithHungDestinations sends SIGINT (Ctrl+C) to `golive
// live` while one destination hangs in its handshake (a server that
// never answers) and another hangs while live (its path became a black
// hole and its queue grows: writes block): the process exits 0 within 2 s of
// the signal, after a last stats line with every output stopped, and
// the healthy destination was never disturbed.
func TestInterruptWithHungDestinations(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time session with real peers")
	}
	testpeer.RequireBinaries(t, "nginx")
	ng := testpeer.StartNginxRTMP(t)
	silent := testpeer.StartTCPProxy(t, "127.0.0.1:1")
	silent.SetMode(testpeer.ProxyBlackHole)
	hang := testpeer.StartTCPProxy(t, fmt.Sprintf("127.0.0.1:%d", ng.RTMPPort))
	run := startChild(t, append(append([]string{}, hostileArgs...),
		"--rtmp", ng.RTMPURL("live", "okkey-S1"), "--rtmp", "rtmp://"+silent.Addr()+"/live/silentkey-S2",
		"--rtmp", "rtmp://"+hang.Addr()+"/live/hangkey-S3")...)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if st := run.latest(); len(st.Outputs) == 3 && st.Outputs[2].FramesSent >= 60 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the destination behind the proxy did not go live: %+v", run.latest().Outputs)
		}
	}
	hang.SetMode(testpeer.ProxyBlackHole)
	// Hung: the socket buffers are full and media queues up.
	for deadline := time.Now().Add(30 * time.Second); run.latest().Outputs[2].QueueMs < 500; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the black-holed destination never queued: %+v", run.latest().Outputs[2])
		}
	}
	before := run.latest()
	sent := time.Now()
	if err := run.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := run.wait(t, 30*time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGINT: %s", code, trim(run.stderr.String()))
	}
	run.mu.Lock()
	took := run.exited.Sub(sent)
	run.mu.Unlock()
	final := run.latest()
	t.Logf("exit %v after SIGINT; before it: hung-live %s (queue %.0f ms), silent %s",
		took.Round(time.Millisecond), before.Outputs[2].State, before.Outputs[2].QueueMs, before.Outputs[1].State)
	if took > maxExitLag {
		t.Errorf("exited %v after SIGINT (limit %v)", took, maxExitLag)
	}
	if before.Outputs[2].State != dest.StateLive || before.Outputs[1].State == dest.StateLive {
		t.Errorf("before SIGINT: %s / %s, want a hung live destination and a silent one", before.Outputs[2].State, before.Outputs[1].State)
	}
	checkAllStopped(t, final)
	if o := final.Outputs[0]; o.Reconnects != 0 || o.Dropped != 0 {
		t.Errorf("healthy destination disturbed: %+v", o)
	}
}

// checkAllStopped: the last stats line, printed after the session
// closed, shows every output stopped.
func checkAllStopped(t *testing.T, st session.Stats) {
	t.Helper()
	for _, o := range st.Outputs {
		if o.State != dest.StateStopped {
			t.Errorf("last stats line: %s is %s, want stopped", o.Name, o.State)
		}
	}
}
