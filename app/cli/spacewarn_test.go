package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golive/media/testpeer"
)

// TestLiveWarnsOfRecordingSpace: `golive live --record` into a 64 MB tmpfs
// (mounted by the test) at 2500k + 128k, which need 591 MB for 30 min,
// prints one line for people before going live: a warning, the recording
// and its folder, how long the space lasts and what to do; no log line
// says it again. The stream still goes live and records.
func TestLiveWarnsOfRecordingSpace(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time encode")
	}
	dir := testpeer.MountTmpfs(t, "64m")
	out := filepath.Join(dir, "show.mkv")
	env, _, stderr := testEnv()
	code := Main(context.Background(), []string{"live", "--source", "test", "--audio", "test", "--size", "640x360",
		"--video-bitrate", "2500k", "--audio-bitrate", "128k", "--duration", "2s", "--record", out, "--stats", "none"}, env)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var lines []string
	for _, l := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(l, "free in "+dir) {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 {
		t.Fatalf("want one line about the free space, got %d:\n%s", len(lines), stderr)
	}
	for _, want := range []string{"golive: warning: recording ", "only 6", "MB free in " + dir + ":",
		"about 3 min of recording at 2628 kb/s (less than 30 min)", "free some space or record to another folder"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("warning line %q lacks %q", lines[0], want)
		}
	}
	t.Logf("stderr: %s", lines[0])
	if strings.Contains(lines[0], "level=") {
		t.Errorf("the warning is a log line, not a line for people: %q", lines[0])
	}
	if fi, err := os.Stat(out); err != nil || fi.Size() == 0 {
		t.Errorf("no recording after the warning: %v", err)
	}
}
