package record

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"golive/media/testpeer"
)

// crashRole makes the test binary a recording child process (see
// TestMain); its argument is the folder.
const crashRole = "recording"

// Outside the child, it fails the package when a goroutine outlives the
// tests (issue 21): every recording's writer and the engine must have
// stopped.
func TestMain(m *testing.M) {
	if testpeer.ChildRole() == crashRole {
		os.Exit(recordUntilKilled(testpeer.ChildArgs()[0]))
	}
	goleak.VerifyTestMain(m)
}

// recordUntilKilled records the test source to crash.mkv and crash.mp4 in
// dir and prints "frames MKV MP4" (frames handed to each muxer) every
// 100 ms until the parent kills it.
func recordUntilKilled(dir string) int {
	t := &testing.T{}
	e := testEngine(t)
	mkv := startRecording(t, e, filepath.Join(dir, "crash.mkv"))
	mp4 := startRecording(t, e, filepath.Join(dir, "crash.mp4"))
	go func() {
		for range time.Tick(100 * time.Millisecond) {
			fmt.Printf("frames %d %d\n", mkv.Status().FramesSent, mp4.Status().FramesSent)
		}
	}()
	if err := e.Run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	return 1
}

// TestRecordSurvivesKill records in a child process, kills it with SIGKILL
// after about 3.7 s (mid-GOP) and decodes what reached the files.
func TestRecordSurvivesKill(t *testing.T) {
	testpeer.RequireBinaries(t, "ffprobe")
	dir := t.TempDir()
	cmd := testpeer.Child{Role: crashRole, Args: []string{dir}}.Command()
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var mkvFrames, mp4Frames uint64
	sc := bufio.NewScanner(out)
	timeout := time.AfterFunc(30*time.Second, func() { _ = cmd.Process.Kill() })
	for sc.Scan() {
		if _, err := fmt.Sscanf(sc.Text(), "frames %d %d", &mkvFrames, &mp4Frames); err != nil {
			continue
		}
		if mkvFrames >= 110 && mp4Frames >= 110 {
			break
		}
	}
	timeout.Stop()
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if mkvFrames < 110 || mp4Frames < 110 {
		t.Fatalf("child recorded only %d/%d frames before it ended", mkvFrames, mp4Frames)
	}
	checkPartial(t, filepath.Join(dir, "crash.mkv"), int(mkvFrames))
	checkPartial(t, filepath.Join(dir, "crash.mp4"), int(mp4Frames))
}

// checkPartial decodes a recording cut by SIGKILL: it must hold all but
// the last ~1.3 s of the frames the muxer was given, from a key frame,
// without a decode error.
func checkPartial(t *testing.T, path string, written int) {
	t.Helper()
	a, err := testpeer.Analyze(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	n := a.Count("video")
	t.Logf("%s: %d of %d frames decoded, %d audio frames, errors %q", filepath.Base(path), n, written, a.Count("audio"), a.Errors)
	if n < written-40 || n > written+10 {
		t.Errorf("%s: decoded %d video frames, %d were written before the kill", path, n, written)
	}
	if k := a.KeyFrameIndexes(); len(k) == 0 || k[0] != 0 {
		t.Errorf("%s: key frames at %v, want the first frame to be one", path, k)
	}
	if a.Count("audio") < n*48000/1024/30-50 {
		t.Errorf("%s: only %d audio frames for %d video frames", path, a.Count("audio"), n)
	}
	if len(a.Errors) > 0 {
		t.Errorf("%s: decode errors %q", path, a.Errors)
	}
}
