package cli

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"golive/app/session"
	"golive/media/testpeer"
)

const argvChildEnv = "GOLIVE_ARGV_CHILD"

// TestGoliveArgvChild is `golive ARGS...` for the tests below: this test
// binary re-executed with the command line after its own flags
// (`golive.test -test.run=^TestGoliveArgvChild$ live --rtmp URL ...`), so
// /proc/PID/cmdline holds exactly what a user's golive would, and standard
// input is the real one.
func TestGoliveArgvChild(t *testing.T) {
	if os.Getenv(argvChildEnv) == "" {
		t.Skip("only run as a child process")
	}
	ctx, stop := signalContext()
	code := Main(ctx, flag.Args(), Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	os.Exit(code)
}

// child is a running `golive` child process.
type child struct {
	cmd            *exec.Cmd
	stdout, stderr testpeer.LockedBuffer
	done           chan struct{}
}

// startChild runs golive args with stdin as its standard input and
// GOLIVE_DEBUG=1 (the log at debug level).
func startChild(t *testing.T, stdin string, args ...string) *child {
	t.Helper()
	c := &child{done: make(chan struct{})}
	c.cmd = exec.Command(os.Args[0], append([]string{"-test.run=^TestGoliveArgvChild$"}, args...)...)
	c.cmd.Env = append(os.Environ(), argvChildEnv+"=1", DebugEnv+"=1", "GOLIVE_CONFIG_DIR="+t.TempDir())
	c.cmd.Stdin = strings.NewReader(stdin)
	c.cmd.Stdout, c.cmd.Stderr = &c.stdout, &c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = c.cmd.Wait(); close(c.done) }()
	t.Cleanup(func() {
		select {
		case <-c.done:
		default:
			_ = c.cmd.Process.Kill()
			<-c.done
		}
	})
	return c
}

func (c *child) wait(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case <-c.done:
		return c.cmd.ProcessState.ExitCode()
	case <-time.After(d):
		t.Fatalf("golive did not end within %v: %s", d, c.stderr.String())
		return -1
	}
}

// lastStats is the last --stats json line the child printed.
func (c *child) lastStats(t *testing.T) session.Stats {
	t.Helper()
	var st session.Stats
	lines := strings.Split(strings.TrimSpace(c.stdout.String()), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &st); err != nil {
		t.Fatalf("stats line %q: %v", lines[len(lines)-1], err)
	}
	return st
}

// TestRTMPKeyFromStdin: `golive live --rtmp URL --rtmp-key -` reads the key
// from standard input: /proc/PID/cmdline does not hold it, nginx-rtmp
// gets the stream published under it, and no argv warning is printed.
func TestRTMPKeyFromStdin(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time session with nginx")
	}
	testpeer.RequireBinaries(t, "nginx")
	ng := testpeer.StartNginxRTMP(t)
	const key = "stdin-Key-7Hq2ZxW9"
	url := strings.TrimSuffix(ng.RTMPURL("live", "x"), "/x")
	c := startChild(t, key+"\n", "live", "--source", "test", "--audio", "test", "--size", "320x180",
		"--video-bitrate", "300k", "--duration", "5s", "--stats", "json", "--rtmp", url, "--rtmp-key", "-")
	var cmdline []byte
	var published *testpeer.NginxStream
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end) && published == nil; time.Sleep(100 * time.Millisecond) {
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", c.cmd.Process.Pid)); err == nil && len(b) > 0 {
			cmdline = b
		}
		if st, err := ng.Stat(); err == nil {
			if s := st.Stream("live", key); s != nil && s.Publishing != nil && s.BytesIn > 0 {
				published = s
			}
		}
	}
	if published == nil {
		t.Fatalf("nginx never saw live/%s published: %s", key, c.stderr.String())
	}
	if !bytes.Contains(cmdline, []byte("--rtmp-key\x00-")) || bytes.Contains(cmdline, []byte(key)) {
		t.Fatalf("/proc/PID/cmdline = %q", bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '}))
	}
	if code := c.wait(t, 30*time.Second); code != 0 {
		t.Fatalf("exit %d: %s", code, c.stderr.String())
	}
	if strings.Contains(c.stderr.String(), "warning: a stream key on the command line") {
		t.Errorf("argv warning printed for a key read from stdin: %s", c.stderr.String())
	}
	if st := c.lastStats(t); st.Outputs[0].FramesSent < 60 {
		t.Errorf("only %d frames published: %+v", st.Outputs[0].FramesSent, st.Outputs[0])
	}
}

// TestEchoedKeyHidden publishes, with the key on the command line and
// with it on standard input, to a server whose error description quotes
// the key exact, URL path- and query-escaped, lower- and upper-cased, and
// in its ?/&-separated parts: none of these shows in --stats json, on
// stderr or in the debug log; the argv key gets its one warning line.
func TestEchoedKeyHidden(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time session")
	}
	const key = "FB-1234567890-0-AbCdEfGhIjK?s_bl=1&s_ps=1&a=AbCdEf123456xyz"
	srv := testpeer.StartEchoKeyServer(t)
	base := []string{"live", "--source", "test", "--audio", "test", "--size", "320x180", "--video-bitrate", "300k",
		"--duration", "4s", "--stats", "json"}
	runs := map[string]*child{}
	var wg sync.WaitGroup
	for name, args := range map[string][]string{
		"argv":  append(append([]string(nil), base...), "--rtmp", srv.URL("app")+"#"+key),
		"stdin": append(append([]string(nil), base...), "--rtmp", srv.URL("app"), "--rtmp-key", "-"),
	} {
		runs[name] = startChild(t, key+"\n", args...)
	}
	for name, c := range runs {
		wg.Add(1)
		go func() { defer wg.Done(); <-c.done }()
		_ = name
	}
	wg.Wait()
	for name, c := range runs {
		t.Run(name, func(t *testing.T) {
			if code := c.cmd.ProcessState.ExitCode(); code != 0 {
				t.Fatalf("exit %d: %s", code, c.stderr.String())
			}
			st := c.lastStats(t).Outputs[0]
			if !strings.Contains(c.stdout.String(), `"state":"failed"`) || !strings.Contains(st.LastError, "NetStream.Publish.BadName") ||
				!strings.Contains(st.LastError, "[REDACTED]") {
				t.Errorf("stats: state %s, error %q; want failed on the server's refusal, redacted", st.State, st.LastError)
			}
			out, errText := c.stdout.String(), c.stderr.String()
			if !strings.Contains(errText, "level=WARN") || !strings.Contains(errText, "BadName") {
				t.Errorf("the refusal is not in the log:\n%s", errText)
			}
			for _, form := range testpeer.EchoForms(key) {
				if strings.Contains(out, form) {
					t.Errorf("%q in --stats json:\n%s", form, out)
				}
				if strings.Contains(errText, form) {
					t.Errorf("%q on stderr / in the debug log:\n%s", form, errText)
				}
			}
			warned := strings.Count(errText, "warning: a stream key on the command line")
			if want := map[string]int{"argv": 1, "stdin": 0}[name]; warned != want {
				t.Errorf("%d argv warnings, want %d:\n%s", warned, want, errText)
			}
		})
	}
	if keys := srv.Keys(); len(keys) < 2 || keys[0] != key || keys[1] != key {
		t.Fatalf("the server got keys %q, want the real key from both runs", keys)
	}
}

func TestKeyReaderLeavesTheRest(t *testing.T) {
	in := strings.NewReader("first-key\n  second-key  \nthe whip token\n")
	k := &keyReader{r: in}
	for _, want := range []string{"first-key", "second-key"} {
		if got, err := k.next(); err != nil || got != want {
			t.Fatalf("next = %q, %v; want %q", got, err, want)
		}
	}
	if rest, _ := io.ReadAll(in); string(rest) != "the whip token\n" {
		t.Fatalf("read ahead: %q left", rest)
	}
	if _, err := k.next(); err == nil {
		t.Fatal("no error at the end of input")
	}
	long := &keyReader{r: strings.NewReader(strings.Repeat("k", maxKeyLine+1))}
	if _, err := long.next(); err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Fatalf("long line: %v", err)
	}
}
