package faults

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"golive/media/testpeer"
)

// TestRTPLossAndDelay sends RTP (MPEG-TS) through a path that loses 3 %
// of the datagrams and delays the rest by 80 ms, beside a recording: the
// RTP output never blocks or drops (UDP), its receiver decodes what
// arrives (with the decode errors the loss causes), and the recording
// keeps every frame.
func TestRTPLossAndDelay(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time session")
	}
	testpeer.RequireBinaries(t, "ffmpeg", "ffprobe")
	rxPort, proxyPort := freeUDPPair(t), freeUDPPair(t)
	rx := startReceiver(t, "rtp", fmt.Sprintf("rtp://127.0.0.1:%d?buffer_size=8388608&timeout=30000000", rxPort),
		"-protocol_whitelist", "udp,rtp")
	rtpPath := startUDPProxy(t, proxyPort, rxPort, 80*time.Millisecond, 0.03)
	rtcpPath := startUDPProxy(t, proxyPort+1, rxPort+1, 80*time.Millisecond, 0.03)
	time.Sleep(500 * time.Millisecond)
	rec := filepath.Join(t.TempDir(), "rtploss.mkv")
	run := startLive(testCtx(t, time.Minute), t, "--source", "test", "--audio", "test", "--size", "854x480",
		"--duration", "12s", "--record", rec, "--rtp", "127.0.0.1:"+strconv.Itoa(proxyPort))
	if code := run.wait(t, 45*time.Second); code != 0 {
		t.Fatalf("exit %d: %s", code, run.stderr.String())
	}
	rx.stop(2 * time.Second)
	final := run.latest()
	rtp, record := final.Outputs[0], final.Outputs[1] // flags order: --rtp before --record
	if rtp.Kind != "rtp" || record.Kind != "record" {
		t.Fatalf("outputs %+v", final.Outputs)
	}
	states := run.states(0)
	t.Logf("rtp: states %s, sent %d, dropped %d; path passed %d, lost %d datagrams (rtcp %d/%d); receiver %d frames, %d decode error lines",
		stateList(states), rtp.FramesSent, rtp.Dropped, rtpPath.passed.Load(), rtpPath.dropped.Load(),
		rtcpPath.passed.Load(), rtcpPath.dropped.Load(), rx.Frames(), len(rx.Errors()))
	if rtp.Dropped != 0 || rtp.FramesSent+3 < final.Frames.Encoded || len(states) > 2 {
		t.Errorf("rtp output: %+v (states %s): want every frame sent", rtp, stateList(states))
	}
	if rtpPath.dropped.Load() == 0 || rx.Frames() < int(rtp.FramesSent)/3 || rx.Frames() > int(rtp.FramesSent) {
		t.Errorf("receiver decoded %d of %d frames through the lossy path (%d datagrams lost)",
			rx.Frames(), rtp.FramesSent, rtpPath.dropped.Load())
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := testpeer.Analyze(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	if n := a.Count("video"); uint64(n) != final.Frames.Encoded || len(a.Errors) > 0 || record.Dropped != 0 {
		t.Errorf("recording beside the lossy RTP: %d of %d frames, errors %q", n, final.Frames.Encoded, a.Errors)
	}
}
