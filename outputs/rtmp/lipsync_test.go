package rtmp

import (
	"context"
	"slices"
	"testing"
	"time"

	"golive/media/testpeer"
	"golive/outputs/dest"
)

// TestLipSyncAtMediaMTX publishes the test source (a flash and a beep at
// the same instant once a second) to MediaMTX, a server that stamps media
// by arrival, and reads it back over RTSP with ffmpeg: the beep-minus-
// flash median must be within 20 ms (issue 16: audio was 60-65 ms late).
func TestLipSyncAtMediaMTX(t *testing.T) {
	testpeer.RequireBinaries(t, "ffmpeg")
	s := startEngine(t)
	mtx := testpeer.StartMediaMTX(t)
	h := startHandler(t, "mediamtx", s, &Publisher{URL: mtx.RTMPURL("live"), Key: "sync"})
	waitState(t, h, dest.StateLive, 15*time.Second)
	if !mtx.WaitLog("is publishing to path", 10*time.Second) {
		t.Fatalf("mediamtx did not see the publish: %s", mtx.Log.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	url := mtx.RTSPURL("live/sync")
	rep, err := testpeer.AVSync(ctx, url, []string{"-rtsp_transport", "tcp", "-t", "8"}, 0)
	if err != nil {
		t.Fatalf("reading back %s: %v", url, err)
	}
	offs := slices.Clone(rep.Offsets)
	slices.Sort(offs)
	median := offs[len(offs)/2]
	t.Logf("beep - flash over %d markers: median %v, all %v", len(offs), median, rep.Offsets)
	if len(offs) < 4 {
		t.Fatalf("only %d flash/beep pairs in 8 s", len(offs))
	}
	if median.Abs() > 20*time.Millisecond {
		t.Errorf("a/v offset median %v at an arrival-stamping server, want within ±20ms", median)
	}
}
