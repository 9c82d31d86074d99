package faults

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golive/app/session"
	"golive/media/testpeer"
	"golive/outputs/dest"
)

// checkDecodes: the file decodes to its end with no error and holds
// frames video frames.
func checkDecodes(t *testing.T, path string, frames uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := testpeer.Analyze(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	errs, err := testpeer.DecodeErrors(ctx, path, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := a.Count("video"); uint64(n) != frames || len(a.Errors) > 0 || len(errs) > 0 {
		t.Errorf("%s: %d video frames decoded of %d recorded; ffprobe errors %q, ffmpeg errors %q",
			filepath.Base(path), n, frames, a.Errors, errs)
	}
}

// TestRecordTwiceSamePath: two streams in a row with the same --record
// path leave two files, both decoding fully; the second stream's stats
// name the new file.
func TestRecordTwiceSamePath(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time sessions")
	}
	testpeer.RequireBinaries(t, "ffprobe", "ffmpeg")
	dir := t.TempDir()
	path := filepath.Join(dir, "show.mkv")
	args := []string{"--source", "test", "--audio", "test", "--size", "320x180", "--video-bitrate", "300k",
		"--duration", "3s", "--record", path}
	var finals []dest.Status
	for i := range 2 {
		run := startLive(testCtx(t, time.Minute), t, args...)
		if code := run.wait(t, 45*time.Second); code != 0 {
			t.Fatalf("stream %d: exit %d: %s", i+1, code, run.stderr.String())
		}
		finals = append(finals, run.latest().Outputs[0])
	}
	second := filepath.Join(dir, "show (2).mkv")
	if got := finals[0].Detail["file"]; got != path {
		t.Errorf("first stream's stats name %v, want %s", got, path)
	}
	if got := finals[1].Detail["file"]; got != second {
		t.Errorf("second stream's stats name %v, want %s", got, second)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Fatalf("files after two streams: %v", entries)
	}
	checkDecodes(t, path, finals[0].FramesSent)
	checkDecodes(t, second, finals[1].FramesSent)
}

// TestRecordDiskFullBesideRTMP records to a 2 MB tmpfs beside an
// nginx-rtmp destination: the recording fails with "disk full", leaves
// exactly one file that decodes to its end with no error, no new file is
// made afterwards, and the RTMP receiver decodes every frame.
func TestRecordDiskFullBesideRTMP(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time session with real peers")
	}
	testpeer.RequireBinaries(t, "nginx", "ffmpeg", "ffprobe")
	dir := testpeer.MountTmpfs(t, "2m")
	ng := testpeer.StartNginxRTMP(t)
	rx := startRTMPReceiver(t, ng, "live", "diskfull-ref")
	rec := filepath.Join(dir, "rec.mkv")
	run := startLive(testCtx(t, 2*time.Minute), t, "--source", "test", "--audio", "test", "--size", "640x360",
		"--video-bitrate", "1200k", "--duration", "20s", "--record", rec, "--rtmp", ng.RTMPURL("live", "diskfull-ref"))
	run.waitFor(t, "the recording to fail with a full disk", 40*time.Second, func(st session.Stats) bool {
		return st.Outputs[1].State == dest.StateFailed // --rtmp outputs come first
	})
	if code := run.wait(t, 60*time.Second); code != 0 {
		t.Fatalf("golive live exited with %d: %s", code, run.stderr.String())
	}
	final := run.latest()
	rtmpSt, recSt := final.Outputs[0], final.Outputs[1]
	if recSt.Kind != "record" || rtmpSt.Kind != "rtmp" {
		t.Fatalf("outputs in another order: %+v", final.Outputs)
	}
	rx.finishRTMP(ng, "live", "diskfull-ref")
	t.Logf("recording: %s %q, %d frames; rtmp: %s, %d frames sent, receiver %d frames",
		recSt.State, recSt.LastError, recSt.FramesSent, rtmpSt.State, rtmpSt.FramesSent, rx.Frames())
	if recSt.State != dest.StateFailed || !strings.Contains(recSt.LastError, "disk full (") ||
		!strings.Contains(recSt.LastError, "MB free)") || recSt.Reconnects != 0 {
		t.Errorf("recording: state %s, error %q, %d reconnects; want failed with disk full, no retry",
			recSt.State, recSt.LastError, recSt.Reconnects)
	}
	if recSt.Detail["file"] != rec || recSt.FramesSent < 30 {
		t.Errorf("recording stats: %+v", recSt)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "rec.mkv" {
		t.Fatalf("files on the full disk: %v, want only rec.mkv", entries)
	}
	checkDecodes(t, rec, recSt.FramesSent)
	enc := final.Frames.Encoded
	if rtmpSt.State != dest.StateStopped && rtmpSt.State != dest.StateLive || rtmpSt.Reconnects != 0 ||
		rtmpSt.Dropped != 0 || rtmpSt.FramesSent+3 < enc {
		t.Errorf("rtmp destination disturbed: %+v (encoded %d)", rtmpSt, enc)
	}
	if got := rx.Frames(); got > int(rtmpSt.FramesSent) || got+3 < int(rtmpSt.FramesSent) || len(rx.Errors()) > 0 {
		t.Errorf("rtmp receiver decoded %d of %d frames, errors %q", got, rtmpSt.FramesSent, rx.Errors())
	}
}
