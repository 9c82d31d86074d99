package whip

import (
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
	e.MoveAndReadBackRTSP(t, h, m.RTSPURL("moving"), "0:v", "-allowed_media_types", "video")
}
