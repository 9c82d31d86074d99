package whip

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

// TestWHIPMoveToAnotherRendition (issue 18: WHIP fallbacks): a WHIP
// destination publishing to MediaMTX moves to another H.264 encoder of
// the same capture (a fallback rendition, 426x240) at a key frame and
// back (dest.Handler.MoveTo), on the same peer connection: the new
// SPS/PPS travel in band with the key frame (RFC 6184 single NAL units or
// FU-A, as any other), and what MediaMTX passes on over RTSP decodes
// 640x360 → 426x240 → 640x360 with 0 errors, each change at a key frame,
// at least 2 of the 3 seconds on the fallback decoded. About 15 s.
func TestWHIPMoveToAnotherRendition(t *testing.T) {
	testpeer.RequireBinaries(t, "ffmpeg", "ffprobe")
	m := startMediaMTX(t)
	e := peertest.NewRenditionEngine(t, peertest.SmallRendition, unit.CodecOpus)
	defer e.Stop(t)
	h := handler(t, e, "mediamtx", &Publisher{URL: m.WHIPURL("moving"), Token: pubToken})
	defer h.Close()
	e.Start()
	waitState(t, h, dest.StateLive, 20*time.Second)
	if !m.WaitLog("is publishing to path 'moving'", 10*time.Second) {
		t.Fatalf("MediaMTX did not take the stream: %s", m.Log.String())
	}
	out := filepath.Join(t.TempDir(), "rtsp.ts")
	read := make(chan error, 1)
	go func() {
		b, err := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y", "-rtsp_transport", "tcp",
			"-allowed_media_types", "video", "-i", m.RTSPURL("moving"), "-map", "0:v", "-c", "copy", "-t", "9",
			"-f", "mpegts", out).CombinedOutput()
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
	// 3 s on the fallback at 30 fps, 90 frames: at least 60 (see the SRT
	// test: frames an engine short of CPU skipped are not the move's).
	peertest.CheckSizeRuns(t, a, []string{"640x360", "426x240", "640x360"}, 60)
}
