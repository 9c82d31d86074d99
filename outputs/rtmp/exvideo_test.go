package rtmp

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/yutopp/go-rtmp/message"

	"golive/media/engine"
	"golive/media/stream"
	"golive/media/testpeer"
	"golive/media/unit"
	"golive/outputs/dest"
)

// startCodecEngine runs the synthetic sources through a 640x360@30 encode
// with the given video encoder (and AAC) until the test ends.
func startCodecEngine(t *testing.T, encoder string) *stream.Stream {
	t.Helper()
	e := &engine.Engine{Config: engine.Config{
		Video: engine.VideoSourceConfig{Kind: engine.KindTest},
		Audio: engine.AudioSourceConfig{Kind: engine.KindTest},
		Width: 640, Height: 360, FPS: 30, VideoBitrate: 800_000, Encoder: encoder,
		AudioCodecs: []unit.Codec{unit.CodecAAC}, Logger: testLogger(),
	}}
	if err := e.Initialize(); err != nil {
		t.Fatalf("engine with %s: %v", encoder, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("engine: %v", err)
		}
		e.Close()
	})
	return e.Stream()
}

// TestEnhancedRTMPToMediaMTX publishes HEVC (libx265) and AV1 (libsvtav1)
// over Enhanced RTMP to MediaMTX, each over RTMP and RTMPS at once (one
// encode, two destinations): MediaMTX names the codec, the HEVC streams
// read back over RTSP and the AV1 streams from MediaMTX's own fMP4
// recordings decode with no error at 640x360 and 30 fps.
func TestEnhancedRTMPToMediaMTX(t *testing.T) {
	testpeer.RequireBinaries(t, "ffmpeg", "ffprobe")
	mtx := testpeer.StartMediaMTXRecording(t)
	for _, tc := range []struct{ encoder, key, logName, ffName string }{
		{"libx265", "hevc", "H265", "hevc"},
		{"libsvtav1", "av1", "AV1", "av1"},
	} {
		t.Run(tc.key, func(t *testing.T) {
			s := startCodecEngine(t, tc.encoder)
			keys := []string{tc.key, tc.key + "-tls"}
			hs := []*dest.Handler{
				startHandler(t, keys[0], s, &Publisher{URL: mtx.RTMPURL("live"), Key: keys[0]}),
				startHandler(t, keys[1], s, &Publisher{URL: mtx.RTMPSURL("live"), Key: keys[1], CAFile: mtx.CAFile}),
			}
			for i, h := range hs {
				waitState(t, h, dest.StateLive, 15*time.Second)
				if !mtx.WaitLog("is publishing to path 'live/"+keys[i]+"'", 10*time.Second) {
					t.Fatalf("mediamtx did not see the publish: %s", tail(mtx.Log.String()))
				}
				if !mtx.WaitLog("[path live/"+keys[i]+"] stream is available and online, 2 tracks ("+tc.logName+", MPEG-4 Audio)", time.Second) {
					t.Fatalf("mediamtx does not name %s: %s", tc.logName, tail(mtx.Log.String()))
				}
			}
			files := readBack(t, mtx, tc.key, keys, hs)
			for _, file := range files {
				checkCodecFile(t, file, tc.ffName)
			}
		})
	}
}

// readBack returns, per key, the HEVC stream read back over RTSP (4 s) or
// MediaMTX's recording of the AV1 stream (3 s, then unpublished).
func readBack(t *testing.T, mtx *testpeer.MediaMTX, codec string, keys []string, hs []*dest.Handler) []string {
	t.Helper()
	var files []string
	if codec != "hevc" {
		time.Sleep(3 * time.Second)
		for i, h := range hs {
			h.Close()
			files = append(files, recording(t, mtx, "live/"+keys[i]))
		}
		return files
	}
	for _, key := range keys {
		file := filepath.Join(t.TempDir(), key+".mkv")
		cmd := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y", "-rtsp_transport", "tcp",
			"-i", mtx.RTSPURL("live/"+key), "-map", "0", "-c", "copy", "-t", "4", file)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("reading back over RTSP: %v: %s", err, b)
		}
		files = append(files, file)
	}
	return files
}

// checkCodecFile decodes file: codec, 640x360, no error, 30 fps.
func checkCodecFile(t *testing.T, file, codec string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	a, err := testpeer.Analyze(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	v := a.Stream("video")
	if v == nil || v.CodecName != codec || v.Width != 640 || v.Height != 360 {
		t.Fatalf("%s: streams %+v, want %s 640x360", file, a.Streams, codec)
	}
	if len(a.Errors) > 0 {
		t.Errorf("%s: %d decode errors: %q", file, len(a.Errors), a.Errors[:min(len(a.Errors), 5)])
	}
	checkFrameRate(t, a)
}

// checkFrameRate asserts at least a second of 30 fps video, with under
// 20 % of the frames missing (encoders may skip a few under load).
func checkFrameRate(t *testing.T, a *testpeer.Analysis) {
	t.Helper()
	first, last, n := -1.0, -1.0, 0
	for _, f := range a.Frames {
		if f.MediaType != "video" || f.Time() < 0 {
			continue
		}
		if first < 0 {
			first = f.Time()
		}
		last, n = f.Time(), n+1
	}
	span := last - first
	t.Logf("%d video frames over %.2f s, %d audio frames, no decode error", n, span, a.Count("audio"))
	if span < 1 || float64(n) < 0.8*30*span {
		t.Errorf("%d video frames over %.2f s: want 30 fps over at least 1 s", n, span)
	}
}

// recording returns the fMP4 file MediaMTX wrote for path.
func recording(t *testing.T, mtx *testpeer.MediaMTX, path string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		files, _ := filepath.Glob(filepath.Join(mtx.RecordDir, path, "*.mp4"))
		if len(files) > 0 {
			if fi, err := os.Stat(files[0]); err == nil && fi.Size() > 10_000 {
				return files[0]
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no recording of %s in %s: %v", path, mtx.RecordDir, files)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func tail(s string) string { return s[max(0, len(s)-3000):] }

// TestExVideoTags checks the extended video tag header bytes of Enhanced
// RTMP v1 and the connect object's fourCcList.
func TestExVideoTags(t *testing.T) {
	hevc := &unit.Packet{Codec: unit.CodecHEVC, Key: true, PTS: 40 * time.Millisecond, DTS: 40 * time.Millisecond,
		NALUs: [][]byte{{35 << 1, 1, 0x50}, {19 << 1, 1, 0xaa}}}
	got := appendExVideoTag(nil, hevc)
	want := []byte{0x80 | 1<<4 | 3, 'h', 'v', 'c', '1', 0, 0, 0, 3, 19 << 1, 1, 0xaa}
	if !bytes.Equal(got, want) {
		t.Errorf("hevc key frame, no composition time: %x, want %x", got, want)
	}
	hevc.Key, hevc.DTS, hevc.PTS = false, 0, 66*time.Millisecond
	if got := appendExVideoTag(nil, hevc); !bytes.Equal(got[:8], []byte{0x80 | 2<<4 | 1, 'h', 'v', 'c', '1', 0, 0, 66}) {
		t.Errorf("hevc inter frame with composition time: %x", got)
	}
	av := &unit.Packet{Codec: unit.CodecAV1, Key: true, Data: []byte{0x12, 0, 0x32, 1, 9}}
	if got := appendExVideoTag(nil, av); !bytes.Equal(got, []byte{0x80 | 1<<4 | 1, 'a', 'v', '0', '1', 0x32, 1, 9}) {
		t.Errorf("av1 key frame without its temporal delimiter: %x", got)
	}
	var buf bytes.Buffer
	err := message.EncodeBodyAnyValues(message.NewAMFEncoder(&buf, message.EncodingTypeAMF0),
		&exConnect{App: "live", FourCCList: []any{"hvc1"}})
	if err != nil || !bytes.Contains(buf.Bytes(), []byte("\x00\x0afourCcList\x0a\x00\x00\x00\x01\x02\x00\x04hvc1")) {
		t.Errorf("connect object %q (%v) lacks fourCcList [hvc1]", buf.Bytes(), err)
	}
	if _, err := exSequenceStartBody(&unit.VideoParams{Codec: unit.CodecAV1, SequenceHeader: []byte{0x0a, 5, 0}}); err == nil {
		t.Error("a truncated AV1 sequence header was accepted")
	}
	if _, err := exSequenceStartBody(&unit.VideoParams{Codec: unit.CodecHEVC, VPS: []byte{64, 1}}); err == nil {
		t.Error("HEVC without SPS/PPS was accepted")
	}
}
