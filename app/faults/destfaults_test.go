package faults

import (
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golive/app/session"
	"golive/media/testpeer"
	"golive/outputs/dest"
)

// destCase is one faulty destination of TestDestinationFaults.
type destCase struct {
	fault string
	url   string
	// rx decodes what the destination's server passes on (nil: none).
	rx        *receiver
	ng        *testpeer.Nginx
	key       string
	inject    func()
	check     func(t *testing.T, c *destCase, run *liveRun, i int)
	received  string // filled by check: what the receiver got
	final     dest.Status
	wantError string
}

// TestDestinationFaults runs one `golive live` session (the real command
// line, test source) publishing to a healthy reference destination, a
// recording and one destination per fault, all at once: key refused by
// the server, DNS failure, server down, TLS certificate not trusted, a
// server that accepts but never reads, a connection reset mid-stream, a
// path throttled to 100 kbit/s and an nginx paused with SIGSTOP for 8 s.
// It checks what each receiver decoded and what the app reported, that
// the reference and the recording keep every frame, that memory stays
// bounded and that no stream key shows in the output.
func TestDestinationFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time session with real peers")
	}
	testpeer.RequireBinaries(t, "nginx", "ffmpeg", "ffprobe")
	ngRef, ngPause, auth := testpeer.StartNginxRTMP(t), testpeer.StartNginxRTMP(t), startAuthNginx(t)
	rtmpAddr := "127.0.0.1:" + strconv.Itoa(ngRef.RTMPPort)
	resetProxy, slowProxy := testpeer.StartTCPProxy(t, rtmpAddr), testpeer.StartTCPProxy(t, rtmpAddr)
	hole := testpeer.StartTCPProxy(t, "127.0.0.1:1")
	hole.SetMode(testpeer.ProxyBlackHole)
	pausePID := nginxPID(t, ngPause)
	paused := false
	t.Cleanup(func() {
		if paused {
			_ = syscall.Kill(pausePID, syscall.SIGCONT)
		}
	})

	cases := []*destCase{
		{fault: "none (reference)", url: ngRef.RTMPURL("live", "refkey-Q7"), ng: ngRef, key: "refkey-Q7", check: checkReference},
		{fault: "server refuses the key", url: auth.URL("badkey-Z81"), key: "badkey-Z81",
			wantError: "publish rejected", check: checkFailed(dest.StateFailed, func(t *testing.T) {
				if !slices.Contains(auth.Refused(), "badkey-Z81") {
					t.Errorf("the ingest's key check was not asked: refused %q", auth.Refused())
				}
			})},
		{fault: "DNS failure", url: "rtmp://no-such-host.invalid/live/dnskey-P3", key: "dnskey-P3",
			wantError: "check the server name for a typo", check: checkFailed(dest.StateFailed, nil)},
		{fault: "server down (port closed)", url: "rtmp://127.0.0.1:" + strconv.Itoa(testpeer.FreePort(t)) + "/live/downkey-M2",
			key: "downkey-M2", wantError: "connection refused", check: checkFailed(dest.StateReconnecting, nil)},
		{fault: "TLS certificate not trusted", url: ngRef.RTMPSURL("localhost", "live", "tlskey-K9"), key: "tlskey-K9",
			wantError: "certificate", check: checkFailed(dest.StateFailed, nil)},
		{fault: "server accepts, never reads", url: "rtmp://" + hole.Addr() + "/live/holekey-W4", key: "holekey-W4",
			wantError: "did not answer", check: checkFailed(dest.StateReconnecting, nil)},
		{fault: "connection reset mid-stream", url: "rtmp://" + resetProxy.Addr() + "/live/resetkey-T6", ng: ngRef,
			key: "resetkey-T6", inject: resetProxy.Reset, check: checkReconnected},
		{fault: "path throttled to 100 kbit/s", url: "rtmp://" + slowProxy.Addr() + "/live/slowkey-J5", ng: ngRef,
			key: "slowkey-J5", inject: func() { slowProxy.Throttle(100) }, check: checkThrottled},
		{fault: "nginx paused (SIGSTOP 8 s)", url: ngPause.RTMPURL("live", "pausekey-H8"), ng: ngPause, key: "pausekey-H8",
			inject: func() {
				if err := syscall.Kill(pausePID, syscall.SIGSTOP); err != nil {
					t.Errorf("SIGSTOP nginx: %v", err)
				}
				paused = true
				time.AfterFunc(8*time.Second, func() { _ = syscall.Kill(pausePID, syscall.SIGCONT) })
			}, check: checkRecovered},
	}
	recPath := filepath.Join(t.TempDir(), "faults.mkv")
	args := []string{"--source", "test", "--audio", "test", "--size", "854x480", "--video-bitrate", "1500k",
		"--duration", "40s", "--record", recPath}
	for _, c := range cases {
		args = append(args, "--rtmp", c.url)
		if c.ng != nil {
			c.rx = startRTMPReceiver(t, c.ng, "live", c.key)
		}
	}
	pressure := testpeer.ReadCPUPressure()
	run := startLive(testCtx(t, 3*time.Minute), t, args...)
	run.waitFor(t, "every destination that can go live to send 60 frames", 30*time.Second, func(st session.Stats) bool {
		for i, c := range cases {
			if (c.ng != nil) && st.Outputs[i].FramesSent < 60 {
				return false
			}
		}
		return true
	})
	for _, c := range cases {
		if c.inject != nil {
			c.inject()
		}
	}
	if code := run.wait(t, 90*time.Second); code != 0 {
		t.Fatalf("golive live exited with %d: %s", code, run.stderr.String())
	}
	if share, ok := pressure.Share(); ok {
		run.overloaded = share > busyCPUPressure
		t.Logf("CPU pressure over the run: tasks waited for a CPU %.0f%% of the time (overloaded above %.0f%%)",
			share*100, busyCPUPressure*100)
	}
	final := run.latest()
	for i, c := range cases {
		c.final = final.Outputs[i]
		if c.rx != nil {
			c.rx.finishRTMP(c.ng, "live", c.key)
		}
	}
	for i, c := range cases {
		t.Run(strings.ReplaceAll(c.fault, " ", "_"), func(t *testing.T) { c.check(t, c, run, i) })
	}
	checkRecording(t, recPath, final.Frames.Encoded, final.Outputs[len(cases)])
	checkNoKeys(t, run, cases)
	if grow := int64(run.maxHeap) - int64(run.heap0); grow > 96<<20 {
		t.Errorf("heap grew by %d MB during the faults", grow>>20)
	}
	writeFaultTable(t, cases, run)
}
