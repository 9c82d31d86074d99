package faults

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golive/media/testpeer"
)

// receiver is an ffmpeg process decoding one destination's stream to
// null for as long as it runs, reporting decoded frames through
// -progress and decode errors on stderr.
type receiver struct {
	name     string
	progress string
	cmd      *exec.Cmd
	stderr   testpeer.LockedBuffer
	done     chan struct{}
	once     sync.Once
	// cutoff, when > 0, ends the stderr that counts as decode errors:
	// what the player prints once it is dropped on purpose does not.
	cutoff int
}

// startReceiver runs `ffmpeg -i input -f null -` with inputArgs before -i.
func startReceiver(t testing.TB, name, input string, inputArgs ...string) *receiver {
	t.Helper()
	testpeer.RequireBinaries(t, "ffmpeg")
	r := &receiver{name: name, progress: filepath.Join(t.TempDir(), "progress.txt"), done: make(chan struct{})}
	args := append([]string{"-hide_banner", "-nostdin", "-v", "error"}, inputArgs...)
	args = append(args, "-i", input, "-map", "0", "-fps_mode", "passthrough",
		"-progress", r.progress, "-stats_period", "1", "-f", "null", "-")
	r.cmd = exec.Command("ffmpeg", args...)
	r.cmd.Stderr = &r.stderr
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("receiver %s: %v", name, err)
	}
	go func() { _ = r.cmd.Wait(); close(r.done) }()
	t.Cleanup(func() { r.stop(2 * time.Second) })
	return r
}

// startRTMPReceiver plays an nginx-rtmp stream from before it is
// published (nginx holds the player until a publisher arrives).
func startRTMPReceiver(t testing.TB, ng *testpeer.Nginx, app, key string) *receiver {
	t.Helper()
	r := startReceiver(t, key, ng.RTMPURL(app, key), "-rw_timeout", "60000000")
	if err := testpeer.WaitForPlayer(ng, app, key, 10*time.Second); err != nil {
		t.Fatalf("%v: %s", err, r.stderr.String())
	}
	return r
}

// finishRTMP ends an RTMP player once its publisher has left: nginx would
// keep it waiting for the next one.
func (r *receiver) finishRTMP(ng *testpeer.Nginx, app, key string) {
	// Still published after 10 s: the player is dropped all the same.
	_ = testpeer.WaitUnpublished(ng, app, key, 10*time.Second)
	time.Sleep(300 * time.Millisecond) // nginx passes the last frames on
	r.cutoff = len(r.stderr.String()) + 1
	_, _ = ng.DropSubscribers(app, key)
	r.stop(10 * time.Second)
}

// stop waits up to grace for ffmpeg to end by itself, then interrupts it
// (it still writes its final progress), then kills it.
func (r *receiver) stop(grace time.Duration) {
	r.once.Do(func() {
		select {
		case <-r.done:
			return
		case <-time.After(grace):
		}
		testpeer.StopProcess(r.cmd.Process, r.done, syscall.SIGINT, 5*time.Second)
	})
}

// Frames is the number of video frames decoded so far.
func (r *receiver) Frames() int {
	f, err := os.Open(r.progress)
	if err != nil {
		return 0
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "frame="); ok {
			if i, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
				n = i
			}
		}
	}
	return n
}

// Errors are the decode error lines printed so far.
func (r *receiver) Errors() []string {
	var out []string
	text := r.stderr.String()
	if r.cutoff > 0 {
		text = text[:r.cutoff-1]
	}
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.Contains(l, "Exiting normally") {
			out = append(out, l)
		}
	}
	return out
}

// freeUDPPair returns an even UDP port p with p and p+1 free on loopback
// (RTP and RTCP).
func freeUDPPair(t testing.TB) int {
	t.Helper()
	for range 50 {
		c, err := listenUDP(0)
		if err != nil {
			t.Fatal(err)
		}
		p := c.port()
		c.close()
		p &^= 1
		a, err1 := listenUDP(p)
		b, err2 := listenUDP(p + 1)
		if a != nil {
			a.close()
		}
		if b != nil {
			b.close()
		}
		if err1 == nil && err2 == nil && p > 1024 {
			return p
		}
	}
	t.Fatal("no free UDP port pair")
	return 0
}

func testCtx(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
