package srt

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"golive/media/testpeer"
	"golive/media/unit"
	"golive/outputs/dest"
	"golive/outputs/internal/peertest"
)

// TestSRTMoveToAnotherRendition (issue 18: SRT fallbacks): a destination
// publishing to MediaMTX over SRT moves to another encoder of the same
// capture (a fallback rendition, 426x240) at a key frame and back
// (dest.Handler.MoveTo), without reconnecting: the MPEG-TS it sends
// carries the new SPS/PPS in band, and what MediaMTX passes on over RTSP
// decodes with 0 errors, 640x360 → 426x240 → 640x360, each change at a
// key frame, at least 2 of the 3 seconds on the fallback decoded. About 12 s.
func TestSRTMoveToAnotherRendition(t *testing.T) {
	testpeer.RequireBinaries(t, "ffmpeg", "ffprobe")
	m := testpeer.StartMediaMTX(t)
	e := peertest.NewRenditionEngine(t, peertest.SmallRendition, unit.CodecAAC)
	defer e.Stop(t)
	h := handler(t, e, "mediamtx", &Publisher{URL: m.SRTURL("moving")})
	defer h.Close()
	e.Start()
	waitState(t, h, dest.StateLive, 10*time.Second)
	if !m.WaitLog("is publishing to path 'moving'", 10*time.Second) {
		t.Fatalf("MediaMTX did not take the stream: %s", m.Log.String())
	}
	out := filepath.Join(t.TempDir(), "rtsp.ts")
	read := make(chan error, 1)
	go func() {
		b, err := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y", "-rtsp_transport", "tcp",
			"-i", m.RTSPURL("moving"), "-map", "0", "-c", "copy", "-t", "9", "-f", "mpegts", out).CombinedOutput()
		if err != nil {
			err = fmt.Errorf("%w: %s", err, b)
		}
		read <- err
	}()
	e.MoveAndBack(t, h, peertest.SmallRendition.ID, 2*time.Second, 3*time.Second)
	if err := <-read; err != nil {
		t.Fatalf("ffmpeg reading back over RTSP: %v", err)
	}
	if st := h.Status(); st.State != dest.StateLive || st.Reconnects != 0 {
		t.Errorf("status %+v: want live, no reconnect", st)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := testpeer.Analyze(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	// 3 s on the fallback at 30 fps, 90 frames: at least 60 (an engine
	// short of CPU skips frames, a loaded receiver may lose a few; a
	// third lost is a move that lost frames, not load).
	peertest.CheckSizeRuns(t, a, []string{"640x360", "426x240", "640x360"}, 60)
}
