package record

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golive/media/engine"
	"golive/media/testpeer"
	"golive/media/unit"
	"golive/outputs/dest"
	"strings"
)

// testEngine returns an initialized engine on the synthetic 720p30 test
// pattern with AAC audio.
func testEngine(t testing.TB) *engine.Engine {
	t.Helper()
	e := &engine.Engine{Config: engine.Config{
		Video:       engine.VideoSourceConfig{Kind: engine.KindTest},
		Audio:       engine.AudioSourceConfig{Kind: engine.KindTest},
		AudioCodecs: []unit.Codec{unit.CodecAAC},
	}}
	if err := e.Initialize(); err != nil {
		t.Fatalf("engine: %v", err)
	}
	return e
}

// startRecording runs a Recorder behind a dest.Handler on the engine's
// stream.
func startRecording(t testing.TB, e *engine.Engine, path string) *dest.Handler {
	t.Helper()
	h := &dest.Handler{Name: filepath.Base(path), Kind: "record", Worker: &Recorder{Path: path},
		Stream: e.Stream(), Reader: ReaderConfig(path), FirstRetry: time.Minute}
	if err := h.Initialize(); err != nil {
		t.Fatal(err)
	}
	return h
}

// runEngine runs e for d, then closes it so that every reader drains its
// queue and sees the end of the stream.
func runEngine(t testing.TB, e *engine.Engine, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if err := e.Run(ctx); err != nil && ctx.Err() == nil {
		t.Errorf("engine run: %v", err)
	}
	e.Close()
}

func waitStopped(t testing.TB, h *dest.Handler) dest.Status {
	t.Helper()
	select {
	case <-h.Done():
	case <-time.After(20 * time.Second):
		t.Errorf("%s: handler did not stop after the stream closed: %+v", h.Name, h.Status())
	}
	st := h.Status()
	h.Close()
	return st
}

// TestRecordTenSeconds records the test source to MKV and fragmented MP4
// at once and decodes both files with ffprobe.
func TestRecordTenSeconds(t *testing.T) {
	testpeer.RequireBinaries(t, "ffprobe", "ffmpeg")
	dir := t.TempDir()
	e := testEngine(t)
	paths := []string{filepath.Join(dir, "show.mkv"), filepath.Join(dir, "show.mp4")}
	var hs []*dest.Handler
	for _, p := range paths {
		hs = append(hs, startRecording(t, e, p))
	}
	runEngine(t, e, 10*time.Second)
	es := e.Stats()
	if got := es.Encoded + es.Skipped; got < 285 || got > 315 {
		t.Errorf("engine captured %d frames in 10 s, want 300±15", got)
	}
	for i, h := range hs {
		st := waitStopped(t, h)
		if st.State != dest.StateStopped || st.LastError != "" {
			t.Errorf("%s: state %s, error %q", paths[i], st.State, st.LastError)
		}
		checkRecording(t, paths[i], st, es)
		sync, err := testpeer.AVSync(context.Background(), paths[i], nil, 0)
		if err != nil {
			t.Errorf("%s: a/v sync: %v", paths[i], err)
			continue
		}
		if len(sync.Offsets) < 8 || sync.MaxAbsOffset > 40*time.Millisecond {
			t.Errorf("%s: a/v offsets %v (max %v), want >= 8 within 40 ms", paths[i], sync.Offsets, sync.MaxAbsOffset)
		}
		t.Logf("%s: %d bytes, %d frames, a/v offsets %v", filepath.Base(paths[i]), st.Bytes, st.FramesSent, sync.Offsets)
	}
}

// checkRecording decodes a finished recording: H.264 1280x720 with every
// frame the engine encoded, a key frame every 60 frames (2 s), AAC 48 kHz
// stereo, no decode error, and counters that match the file.
func checkRecording(t *testing.T, path string, st dest.Status, es engine.Stats) {
	t.Helper()
	a, err := testpeer.Analyze(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Errors) > 0 {
		t.Errorf("%s: decode errors %q", path, a.Errors)
	}
	v, au := a.Stream("video"), a.Stream("audio")
	if v == nil || au == nil {
		t.Fatalf("%s: streams %+v", path, a.Streams)
	}
	if v.CodecName != "h264" || v.Width != 1280 || v.Height != 720 {
		t.Errorf("%s: video %s %dx%d", path, v.CodecName, v.Width, v.Height)
	}
	if au.CodecName != "aac" || au.SampleRate != "48000" || au.Channels != 2 {
		t.Errorf("%s: audio %s %s Hz %d ch", path, au.CodecName, au.SampleRate, au.Channels)
	}
	n := a.Count("video")
	if uint64(n) != es.Encoded || n < 270 {
		t.Errorf("%s: %d video frames, the engine encoded %d (~300 in 10 s)", path, n, es.Encoded)
	}
	if uint64(n) != st.FramesSent {
		t.Errorf("%s: decoded %d frames, counter says %d", path, n, st.FramesSent)
	}
	// ~10 s of 1024-sample AAC frames at 48 kHz: 46.9 per second.
	if na, want := a.Count("audio"), n*48000/1024/30; na < want-15 || na > want+15 {
		t.Errorf("%s: %d audio frames for %d video frames, want about %d", path, na, n, want)
	}
	checkKeyFrames(t, path, a, es.Skipped == 0)
	if fi, err := os.Stat(path); err != nil || uint64(fi.Size()) != st.Bytes {
		t.Errorf("%s: byte counter %d, file %v (%v)", path, st.Bytes, fi.Size(), err)
	}
}

// checkKeyFrames wants a key frame every 2 s of media from the first frame:
// every 60 frames when the engine skipped none under load.
func checkKeyFrames(t *testing.T, path string, a *testpeer.Analysis, exactCount bool) {
	t.Helper()
	idx := a.KeyFrameIndexes()
	var times []float64
	for _, f := range a.Frames {
		if f.MediaType == "video" && f.KeyFrame == 1 {
			times = append(times, f.Time())
		}
	}
	if len(times) < 5 {
		t.Errorf("%s: key frames at %v, want 5 or more in 10 s", path, idx)
		return
	}
	for i, at := range times {
		if want := times[0] + 2*float64(i); at < want-0.04 || at > want+0.04 || (exactCount && idx[i] != 60*i) {
			t.Errorf("%s: key frames at frames %v, times %v: want every 60 frames (2 s)", path, idx, times)
			return
		}
	}
}

// TestRecordDiskFull records to /dev/full: the write fails with ENOSPC and
// the handler reports a clear error.
func TestRecordDiskFull(t *testing.T) {
	e := testEngine(t)
	h := startRecording(t, e, "/dev/full")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	deadline := time.Now().Add(15 * time.Second)
	var st dest.Status
	for time.Now().Before(deadline) {
		if st = h.Status(); st.State == dest.StateReconnecting {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	h.Close()
	cancel()
	<-done
	e.Close()
	if st.State != dest.StateReconnecting {
		t.Fatalf("state %s, want reconnecting after the write error", st.State)
	}
	want := fmt.Sprintf("%s: no space left on device", "write /dev/full")
	if !containsAll(st.LastError, "recording /dev/full", want) {
		t.Errorf("last error %q, want it to name the file and %q", st.LastError, want)
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
