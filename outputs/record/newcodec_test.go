package record

import (
	"context"
	"path/filepath"
	"testing"

	"golive/media/engine"
	"golive/media/testpeer"
	"golive/media/unit"
	"golive/outputs/dest"
)

// TestRecordHEVCAndAV1 records 2 s of a libx265 and a libsvtav1 encode
// (640x360@30 + AAC) to Matroska and MP4: every frame written (at least
// 45 of the 60 encoded: the recorder starts a little after the encoder)
// decodes, with the
// codec and size of the encode and no error.
func TestRecordHEVCAndAV1(t *testing.T) {
	testpeer.RequireBinaries(t, "ffprobe")
	for _, c := range []struct{ encoder, codec, path string }{
		{"libx265", "hevc", "hevc.mkv"}, {"libsvtav1", "av1", "av1.mp4"},
	} {
		e := &engine.Engine{Config: engine.Config{
			Video: engine.VideoSourceConfig{Kind: engine.KindTest}, Audio: engine.AudioSourceConfig{Kind: engine.KindTest},
			Width: 640, Height: 360, FPS: 30, VideoBitrate: 800_000, Encoder: c.encoder,
			AudioCodecs: []unit.Codec{unit.CodecAAC},
		}}
		if err := e.Initialize(); err != nil {
			t.Fatalf("engine: %v", err)
		}
		path := filepath.Join(t.TempDir(), c.path)
		h := startRecording(t, e, path)
		runEngine(t, e, 60)
		st := waitStopped(t, h)
		if st.State != dest.StateStopped || st.LastError != "" {
			t.Errorf("%s: state %s, error %q", path, st.State, st.LastError)
		}
		a, err := testpeer.Analyze(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		v := a.Stream("video")
		if v == nil || v.CodecName != c.codec || v.Width != 640 || v.Height != 360 || a.Stream("audio") == nil {
			t.Fatalf("%s: streams %+v", path, a.Streams)
		}
		if len(a.Errors) > 0 || uint64(a.Count("video")) != st.FramesSent || st.FramesSent < 45 {
			t.Errorf("%s: %d frames decoded, %d written, errors %q", path, a.Count("video"), st.FramesSent, a.Errors)
		}
	}
}
