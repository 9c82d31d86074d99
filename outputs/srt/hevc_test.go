package srt

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golive/media/engine"
	"golive/media/testpeer"
	"golive/media/unit"
	"golive/outputs/dest"
	"golive/outputs/internal/peertest"
)

// TestSRTHEVC publishes an HEVC rendition (libx265 320x180@30 beside the
// main H.264 encode, as a session runs a destination's own video) over
// SRT to an ffmpeg listener for 5 s: ffmpeg's copy is MPEG-TS holding
// HEVC (stream type 0x24) 320x180 and AAC, with 0 decode errors and every
// frame sent (within 2) on the 30 fps grid.
func TestSRTHEVC(t *testing.T) {
	testpeer.RequireBinaries(t, "ffmpeg", "ffprobe")
	port := testpeer.FreeUDPPort(t)
	out := filepath.Join(t.TempDir(), "hevc.ts")
	l := startListener(t, port, "", out)
	e := peertest.NewRenditionEngine(t, engine.Rendition{ID: "hevc", Encoder: "libx265", Width: 320, Height: 180}, unit.CodecAAC)
	defer e.Stop(t)
	h := &dest.Handler{Name: "hevc", Kind: "srt", Worker: &Publisher{URL: fmt.Sprintf("srt://127.0.0.1:%d", port)},
		Stream: e.RenditionStream("hevc"), Reader: ReaderConfig("hevc")}
	if err := h.Initialize(); err != nil {
		t.Fatal(err)
	}
	e.Start()
	waitState(t, h, dest.StateLive, 10*time.Second)
	time.Sleep(5 * time.Second)
	h.Close()
	st := h.Status()
	t.Logf("status %+v", st)
	if st.LastError != "" || st.Reconnects != 0 || st.Dropped != 0 || st.FramesSent < 120 {
		t.Errorf("status %+v: want 5 s sent, no error, reconnect or drop", st)
	}
	l.wait(t, 10*time.Second)
	for _, es := range e.Encoders() {
		testpeer.RelaxForSkips(t, "encoder "+es.ID, es.Skipped, es.Encoded+es.Skipped)
	}
	peertest.CheckDecoded(t, out, peertest.Want{Codec: "hevc", Width: 320, Height: 180, FPS: peertest.FPS,
		Audio: "aac", Sent: int(st.FramesSent), Tolerance: 2})
}

// TestSRTRefusesAV1: CheckVideo takes H.264 and HEVC and refuses AV1 with
// a message that says what to use instead (Run fails the destination with
// it, as a fatal error).
func TestSRTRefusesAV1(t *testing.T) {
	for _, c := range []unit.Codec{unit.CodecH264, unit.CodecHEVC} {
		if err := CheckVideo(c); err != nil {
			t.Errorf("%s: %v", c, err)
		}
	}
	err := CheckVideo(unit.CodecAV1)
	if err == nil || !strings.Contains(err.Error(), "AV1 over SRT (MPEG-TS) is not supported: use an RTMP destination or a recording") {
		t.Errorf("av1: %v", err)
	}
}
