package srt

import (
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
	e.MoveAndReadBackRTSP(t, h, m.RTSPURL("moving"), "0")
}
