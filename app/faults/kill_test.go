package faults

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"golive/app/cli"
	"golive/app/profile"
	"golive/app/session"
	"golive/media/testpeer"
)

// TestKill9MidStream runs `golive live --profile P` (a saved profile
// recording to MKV) in a child process and kills it with SIGKILL after
// about 5 s: the recording decodes cleanly up to the last seconds and the
// profile file is intact (no repair, no notice, same settings).
func TestKill9MidStream(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time session")
	}
	testpeer.RequireBinaries(t, "ffprobe")
	cfgDir, rec := t.TempDir(), filepath.Join(t.TempDir(), "killed.mkv")
	kr := &profile.MemoryKeyring{}
	for _, args := range [][]string{
		{"profile", "add", "P", "source=test", "audio=test", "size=854x480", "fps=30"},
		{"profile", "add-dest", "P", "--record", rec, "--name", "rec"},
	} {
		var out bytes.Buffer
		if code := cli.Main(context.Background(), args, cli.Env{Stdout: &out, Stderr: &out, ConfigDir: cfgDir, Keyring: kr}); code != 0 {
			t.Fatalf("%v: %s", args, out.String())
		}
	}
	before, err := os.ReadFile(filepath.Join(cfgDir, "profiles.json"))
	if err != nil {
		t.Fatal(err)
	}
	child := testpeer.Child{Role: "golive", Run: "TestChildLive", Args: []string{"live", "--profile", "P", "--stats", "json"},
		Env: []string{"GOLIVE_CONFIG_DIR=" + cfgDir}}.Start(t, 60*time.Second)
	cmd, stdout, stderr := child.Cmd, child.Stdout, child.Stderr
	var sent uint64
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		var st session.Stats
		if json.Unmarshal(sc.Bytes(), &st) == nil && len(st.Outputs) == 1 {
			if sent = st.Outputs[0].FramesSent; sent >= 150 {
				break
			}
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if sent < 150 {
		t.Fatalf("child sent %d frames before it ended: %s", sent, stderr.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := testpeer.Analyze(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	n := a.Count("video")
	t.Logf("recording after kill -9: %d video frames decoded (%d sent a moment before), %d audio, errors %q",
		n, sent, a.Count("audio"), a.Errors)
	// Stats are printed once a second: up to 30 more frames were sent
	// after the last line; the muxer may hold the last ~1.3 s.
	if n < int(sent)-40 || n > int(sent)+40 || len(a.Errors) > 0 {
		t.Errorf("recording: %d frames decoded, %d sent; errors %q", n, sent, a.Errors)
	}
	if k := a.KeyFrameIndexes(); len(k) == 0 || k[0] != 0 {
		t.Errorf("recording does not start with a key frame: %v", k)
	}
	after, err := os.ReadFile(filepath.Join(cfgDir, "profiles.json"))
	if err != nil {
		t.Fatal(err)
	}
	st := &profile.Store{Dir: cfgDir, Keyring: kr}
	if err := st.Open(); err != nil {
		t.Fatalf("profiles after kill -9: %v", err)
	}
	defer st.Close()
	p, err := st.Get("P")
	if err != nil || len(p.Destinations) != 1 || p.Encoder.Width != 854 || len(st.Notices()) > 0 {
		t.Errorf("profile after kill -9: %+v, %v, notices %q", p, err, st.Notices())
	}
	if !json.Valid(after) || len(after) < len(before)/2 {
		t.Errorf("profiles.json after kill -9 (%d bytes, was %d): not valid JSON", len(after), len(before))
	}
}

// TestChildLive is the child side of TestKill9MidStream: `golive` with
// the parent's arguments (testpeer.Child).
func TestChildLive(t *testing.T) {
	testpeer.ServeChild(t, "golive", func(args []string) int {
		// SIGINT and SIGTERM end the stream, as in main.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return cli.Main(ctx, args, cli.Env{Stdout: os.Stdout, Stderr: os.Stderr})
	})
}
