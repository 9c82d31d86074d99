package faults

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"golive/app/cli"
	"golive/app/session"
	"golive/media/testpeer"
	"golive/outputs/dest"
)

// liveRun is `golive live ... --stats json` running in this process
// through the real command line, with every stats line it printed.
type liveRun struct {
	stderr testpeer.LockedBuffer
	stdout testpeer.LockedBuffer
	done   chan struct{}
	parsed chan struct{} // every stats line has been read
	code   int

	mu      sync.Mutex
	stats   []session.Stats
	maxHeap uint64
	heap0   uint64
	// overloaded is set by a test whose machine was overloaded during the
	// run (CPU pressure above busyCPUPressure): some figures relax.
	overloaded bool
}

// startLive runs cli.Main("live", args..., "--stats", "json").
func startLive(ctx context.Context, t *testing.T, args ...string) *liveRun {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	r := &liveRun{done: make(chan struct{}), parsed: make(chan struct{})}
	pr, pw := io.Pipe()
	env := cli.Env{Stdout: io.MultiWriter(pw, &r.stdout), Stderr: &r.stderr}
	r.heap0 = heapInUse()
	go func() {
		defer close(r.done)
		r.code = cli.Main(ctx, append(append([]string{"live"}, args...), "--stats", "json"), env)
		_ = pw.Close()
	}()
	go func() {
		defer close(r.parsed)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var st session.Stats
			if json.Unmarshal(sc.Bytes(), &st) != nil {
				continue
			}
			h := heapInUse()
			r.mu.Lock()
			r.stats = append(r.stats, st)
			r.maxHeap = max(r.maxHeap, h)
			r.mu.Unlock()
		}
	}()
	t.Cleanup(func() { cancel(); <-r.done })
	return r
}

func heapInUse() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// latest is the last stats line (zero before the first).
func (r *liveRun) latest() session.Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.stats) == 0 {
		return session.Stats{}
	}
	return r.stats[len(r.stats)-1]
}

// all returns every stats line so far.
func (r *liveRun) all() []session.Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]session.Stats(nil), r.stats...)
}

// waitFor polls the stats until cond holds, failing after timeout.
func (r *liveRun) waitFor(t *testing.T, what string, timeout time.Duration, cond func(session.Stats) bool) session.Stats {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		st := r.latest()
		if len(st.Outputs) > 0 && cond(st) {
			return st
		}
		select {
		case <-r.done:
			t.Fatalf("golive live exited (code %d) while waiting for %s: %s", r.code, what, r.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; last stats: %+v", what, st.Outputs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// wait waits for the command to end and returns its exit code.
func (r *liveRun) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-r.done:
		<-r.parsed
		return r.code
	case <-time.After(timeout):
		t.Fatalf("golive live did not end within %v", timeout)
		return -1
	}
}

// states is the sequence of distinct states output i went through.
func (r *liveRun) states(i int) []dest.State {
	var out []dest.State
	for _, st := range r.all() {
		if i >= len(st.Outputs) {
			continue
		}
		s := st.Outputs[i].State
		if len(out) == 0 || out[len(out)-1] != s {
			out = append(out, s)
		}
	}
	return out
}

// errorsSeen lists the distinct errors output i reported.
func (r *liveRun) errorsSeen(i int) []string {
	var out []string
	for _, st := range r.all() {
		if i < len(st.Outputs) {
			if e := st.Outputs[i].LastError; e != "" && (len(out) == 0 || out[len(out)-1] != e) {
				out = append(out, e)
			}
		}
	}
	return out
}

// maxQueue is the largest queue output i reported.
func (r *liveRun) maxQueue(i int) float64 {
	m := 0.0
	for _, st := range r.all() {
		if i < len(st.Outputs) {
			m = max(m, st.Outputs[i].QueueMs)
		}
	}
	return m
}

// output returns output i of the last stats line before the final one
// (printed after Close, when every output reads "stopped").
func (r *liveRun) beforeEnd(i int) dest.Status {
	all := r.all()
	for j := len(all) - 1; j >= 0; j-- {
		if i < len(all[j].Outputs) && all[j].Outputs[i].State != dest.StateStopped {
			return all[j].Outputs[i]
		}
	}
	return dest.Status{}
}

func stateList(s []dest.State) string {
	parts := make([]string, len(s))
	for i, x := range s {
		parts[i] = string(x)
	}
	return strings.Join(parts, " → ")
}
