package peertest

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"golive/media/testpeer"
	"golive/outputs/dest"
)

// MoveAndReadBackRTSP reads rtspURL back with ffmpeg (the streams of
// -map streams, stream copy into MPEG-TS, extra input arguments before
// -i) for 9 s while h
// moves to SmallRendition 2 s in and back 3 s later (MoveAndBack), then
// checks that h stayed live without reconnecting and that what was read
// decodes 640x360 → 426x240 → 640x360 with 0 errors, each change at a
// key frame. Of the 90 frames the 3 s on the fallback hold at 30 fps, at
// least 60 must decode: an engine short of CPU skips frames and a loaded
// reader may lose a few; a third lost is a move that lost frames.
func (e *Engine) MoveAndReadBackRTSP(t *testing.T, h *dest.Handler, rtspURL, streams string, inputArgs ...string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "rtsp.ts")
	args := append([]string{"-hide_banner", "-nostdin", "-v", "error", "-y", "-rtsp_transport", "tcp"}, inputArgs...)
	args = append(args, "-i", rtspURL, "-map", streams, "-c", "copy", "-t", "9", "-f", "mpegts", out)
	read := make(chan error, 1)
	go func() {
		b, err := exec.Command("ffmpeg", args...).CombinedOutput()
		if err != nil {
			err = fmt.Errorf("%w: %s", err, b)
		}
		read <- err
	}()
	e.MoveAndBack(t, h, SmallRendition.ID, 2*time.Second, 3*time.Second)
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
	CheckSizeRuns(t, a, []string{"640x360", "426x240", "640x360"}, 60)
}
