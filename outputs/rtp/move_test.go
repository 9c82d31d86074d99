package rtp

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"golive/media/testpeer"
	"golive/media/unit"
	"golive/outputs/dest"
	"golive/outputs/dest/desttest"
	"golive/outputs/internal/peertest"
	"golive/outputs/rtptarget"
)

// TestRTPMPEGTSMoveToAnotherRendition (issue 18: RTP fallbacks): an RTP
// destination in MPEG-TS mode moves to another encoder of the same
// capture (a fallback rendition, 426x240) at a key frame and back
// (dest.Handler.MoveTo); the SPS/PPS travel in band, and ffmpeg receiving
// through the SDP file decodes 640x360 → 426x240 → 640x360 with 0 errors,
// each change at a key frame, at least 2 of the 3 seconds on the fallback decoded. About 12 s.
func TestRTPMPEGTSMoveToAnotherRendition(t *testing.T) {
	testpeer.RequireBinaries(t, "ffmpeg", "ffprobe")
	e := peertest.NewRenditionEngine(t, peertest.SmallRendition, unit.CodecAAC)
	defer e.Stop(t)
	dir := t.TempDir()
	tg := &Target{Config: rtptarget.Config{Name: "moving", Host: "127.0.0.1", Port: freePorts(t, 2), Mode: ModeMPEGTS,
		SDPPath: filepath.Join(dir, "moving.sdp")}}
	if _, err := tg.WriteSDP(e.Stream().Tracks()); err != nil {
		t.Fatal(err)
	}
	in, err := tg.FFmpegReceiveArgs()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out := filepath.Join(dir, "moving.ts")
	rec, err := startFFmpegReceiver(ctx, in, out, tg.Port, tg.Port+1)
	if err != nil {
		t.Fatal(err)
	}
	h := e.Handler(t, "moving", "rtp", tg, tg.ReaderConfig())
	defer h.Close()
	e.Start()
	desttest.WaitState(t, h, dest.StateLive, 10*time.Second)
	e.MoveAndBack(t, h, peertest.SmallRendition.ID, 2*time.Second, 3*time.Second)
	if err := <-rec.done; err != nil {
		t.Fatalf("ffmpeg receiving: %v: %s", err, rec.stderr.String())
	}
	a, err := testpeer.Analyze(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	// 3 s on the fallback at 30 fps, 90 frames: at least 60 (an engine
	// short of CPU skips frames, a loaded receiver may lose a few; a
	// third lost is a move that lost frames, not load).
	peertest.CheckSizeRuns(t, a, []string{"640x360", "426x240", "640x360"}, 60)
}
