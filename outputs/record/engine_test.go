package record

import (
	"context"
	"os"
	"path/filepath"
	"slices"
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

// runEngine runs e until it has encoded frames video frames (not for a
// wall-clock time: a loaded machine slows the real-time source down), then
// closes it so that every reader drains its queue and sees the end of the
// stream.
func runEngine(t testing.TB, e *engine.Engine, frames uint64) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	limit := time.After(2 * time.Minute)
	for e.Stats().Encoded < frames {
		select {
		case err := <-done:
			t.Fatalf("engine stopped early: %v", err)
		case <-limit:
			t.Fatalf("engine encoded only %d frames", e.Stats().Encoded)
		case <-tick.C:
		}
	}
	cancel()
	if err := <-done; err != nil {
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

// TestRecordTenSeconds records 10 s of media (300 frames) of the test
// source to MKV and fragmented MP4 at once and decodes both files with
// ffprobe, then measures their lip sync.
func TestRecordTenSeconds(t *testing.T) {
	testpeer.RequireBinaries(t, "ffprobe", "ffmpeg")
	dir := t.TempDir()
	e := testEngine(t)
	paths := []string{filepath.Join(dir, "show.mkv"), filepath.Join(dir, "show.mp4")}
	var hs []*dest.Handler
	for _, p := range paths {
		hs = append(hs, startRecording(t, e, p))
	}
	runEngine(t, e, 300)
	es := e.Stats()
	strict := !testpeer.RelaxForSkips(t, "engine", es.Skipped, es.Captured)
	for i, h := range hs {
		st := waitStopped(t, h)
		if st.State != dest.StateStopped || st.LastError != "" {
			t.Errorf("%s: state %s, error %q", paths[i], st.State, st.LastError)
		}
		checkRecording(t, paths[i], st, es, strict)
		sync, err := testpeer.AVSync(context.Background(), paths[i], nil, 0)
		if err != nil {
			t.Errorf("%s: a/v sync: %v", paths[i], err)
			continue
		}
		checkSync(t, paths[i], sync, strict)
		t.Logf("%s: %d bytes, %d frames, a/v offsets %v", filepath.Base(paths[i]), st.Bytes, st.FramesSent, sync.Offsets)
	}
}

// checkRecording decodes a finished recording: H.264 1280x720 with every
// frame the engine encoded, a key frame every 60 frames (2 s), AAC 48 kHz
// stereo, no decode error, and counters that match the file.
func checkRecording(t *testing.T, path string, st dest.Status, es engine.Stats, strict bool) {
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
	if uint64(n) != es.Encoded || n < 300 || n > 310 {
		t.Errorf("%s: %d video frames, the engine encoded %d (300 wanted)", path, n, es.Encoded)
	}
	if uint64(n) != st.FramesSent {
		t.Errorf("%s: decoded %d frames, counter says %d", path, n, st.FramesSent)
	}
	checkAudioSpan(t, path, a)
	checkKeyFrames(t, path, a, strict)
	if fi, err := os.Stat(path); err != nil || uint64(fi.Size()) != st.Bytes {
		t.Errorf("%s: byte counter %d, file %v (%v)", path, st.Bytes, fi.Size(), err)
	}
}

// checkAudioSpan wants the 1024-sample AAC frames to cover the same span
// as the video, within 0.3 s.
func checkAudioSpan(t *testing.T, path string, a *testpeer.Analysis) {
	t.Helper()
	var lastVideo float64
	for _, f := range a.Frames {
		if f.MediaType == "video" {
			lastVideo = max(lastVideo, f.Time())
		}
	}
	audio := float64(a.Count("audio")) * 1024 / 48000
	if d := audio - lastVideo; d < -0.3 || d > 0.3 {
		t.Errorf("%s: %.2f s of audio for %.2f s of video", path, audio, lastVideo)
	}
}

// checkSync wants the flash and beep of at least 8 markers within 40 ms
// of each other in the median; every one of them when the engine skipped
// no frame (a skipped flash frame delays the visible onset).
func checkSync(t *testing.T, path string, r *testpeer.SyncReport, all bool) {
	t.Helper()
	if len(r.Offsets) < 8 {
		t.Errorf("%s: only %d markers paired: %v", path, len(r.Offsets), r.Offsets)
		return
	}
	sorted := slices.Clone(r.Offsets)
	slices.Sort(sorted)
	median := sorted[len(sorted)/2]
	if median.Abs() > 40*time.Millisecond || (all && r.MaxAbsOffset > 40*time.Millisecond) {
		t.Errorf("%s: a/v offsets %v (median %v, max %v), want within 40 ms", path, r.Offsets, median, r.MaxAbsOffset)
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
// the recording fails with "disk full", waiting for the user (no retry
// countdown, no second attempt).
func TestRecordDiskFull(t *testing.T) {
	e := testEngine(t)
	h := startRecording(t, e, "/dev/full")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	deadline := time.Now().Add(15 * time.Second)
	var st dest.Status
	for time.Now().Before(deadline) {
		if st = h.Status(); st.State == dest.StateFailed {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	later := h.Status()
	h.Close()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("engine run: %v", err)
	}
	e.Close()
	if st.State != dest.StateFailed {
		t.Fatalf("state %s, want failed after the write error", st.State)
	}
	if !containsAll(st.LastError, "disk full (", " free)", "retry") {
		t.Errorf("last error %q, want it to say the disk is full", st.LastError)
	}
	if later.State != dest.StateFailed || later.Reconnects != 0 || !later.NextTry.IsZero() {
		t.Errorf("after a full disk: %+v, want failed with no retry planned", later)
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
