package faults

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golive/app/session"
	"golive/media/testpeer"
)

// childRun is `golive live ... --stats json` in its own process (this
// test binary run as the command, testpeer.Child), so that
// its CPU time and peak RSS can be read from /proc.
type childRun struct {
	cmd    *exec.Cmd
	stderr testpeer.LockedBuffer
	done   chan struct{}
	code   int

	mu         sync.Mutex
	stats      []session.Stats
	firstStats time.Time // when the first stats line arrived
	exited     time.Time
	cpu        time.Duration // user + system time, last sample
	hwmKB      int           // VmHWM, last sample
	lastStats  time.Time     // when the last stats line arrived
	samples    []cpuSample   // every CPU reading
	started    time.Time     // when the process was started
	totalCPU   time.Duration // user + system time of the whole life (rusage), after exit
}

// cpuSample is the child's CPU time read at an instant.
type cpuSample struct {
	at  time.Time
	cpu time.Duration
}

// startChild runs `golive live args... --stats json` in a child process.
func startChild(t *testing.T, args ...string) *childRun {
	t.Helper()
	r := &childRun{done: make(chan struct{})}
	r.cmd = testpeer.Child{Role: "golive", Run: "TestChildLive",
		Args: append(append([]string{"live"}, args...), "--stats", "json")}.Command()
	r.cmd.Stderr = &r.stderr
	stdout, err := r.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r.started = time.Now()
	pid := r.cmd.Process.Pid
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			r.sample(pid)
			select {
			case <-r.done:
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	}()
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var st session.Stats
			if json.Unmarshal(sc.Bytes(), &st) != nil {
				continue
			}
			r.sample(pid) // the last sample is taken after the last line
			r.mu.Lock()
			if len(r.stats) == 0 {
				r.firstStats = time.Now()
			}
			r.stats = append(r.stats, st)
			r.lastStats = time.Now()
			r.mu.Unlock()
		}
		err := r.cmd.Wait()
		r.mu.Lock()
		r.exited = time.Now()
		if ps := r.cmd.ProcessState; ps != nil {
			r.totalCPU = ps.UserTime() + ps.SystemTime()
		}
		r.mu.Unlock()
		r.code = r.cmd.ProcessState.ExitCode()
		if err != nil && r.code == 0 {
			r.code = -1
		}
		close(r.done)
	}()
	t.Cleanup(func() {
		select {
		case <-r.done:
		default:
			_ = r.cmd.Process.Kill()
			<-r.done
		}
		<-sampled
	})
	return r
}

// sample reads the child's CPU time and peak RSS while it exists.
func (r *childRun) sample(pid int) {
	cpu, errCPU := procCPU(pid)
	at := time.Now()
	hwm, errHWM := procHWM(pid)
	r.mu.Lock()
	defer r.mu.Unlock()
	if errCPU == nil && cpu > r.cpu {
		r.cpu = cpu
	}
	if errCPU == nil {
		r.samples = append(r.samples, cpuSample{at: at, cpu: cpu})
	}
	if errHWM == nil && hwm > r.hwmKB {
		r.hwmKB = hwm
	}
}

// procCPU is the user + system time of a process (/proc/PID/stat fields
// 14 and 15, in clock ticks of 10 ms on Linux).
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("short /proc stat: %q", s)
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	k, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("bad /proc stat: %q", s)
	}
	return time.Duration(u+k) * 10 * time.Millisecond, nil
}

// procHWM is the peak resident set size of a process in kB (VmHWM).
func procHWM(pid int) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%d/status", pid)
}

// wait waits for the child to exit and returns its exit code.
func (r *childRun) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-r.done:
		return r.code
	case <-time.After(timeout):
		t.Fatalf("golive live did not end within %v: %s", timeout, trim(r.stderr.String()))
		return -1
	}
}

// all returns every stats line.
func (r *childRun) all() []session.Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]session.Stats(nil), r.stats...)
}

// latest is the last stats line (zero before the first).
func (r *childRun) latest() session.Stats {
	all := r.all()
	if len(all) == 0 {
		return session.Stats{}
	}
	return all[len(all)-1]
}

// exitLag is how long after the end of --duration d the process exited:
// the stats ticker and the duration timer start together, and the first
// line comes one second after.
func (r *childRun) exitLag(d time.Duration) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.exited.Sub(r.firstStats.Add(-time.Second).Add(d))
}

// cpuPerSecond is the CPU time the child used per second of its life.
func (r *childRun) cpuPerSecond() float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	life := r.exited.Sub(r.firstStats.Add(-time.Second))
	return r.cpu.Seconds() / life.Seconds()
}

// wholeRunCPU is the CPU time the child used (user + system, from its
// rusage at exit, every tick counted) per second of its whole life, from
// its start to its exit as this process saw them.
func (r *childRun) wholeRunCPU() float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.totalCPU.Seconds() / r.exited.Sub(r.started).Seconds()
}

// cpuBetween is the CPU time the child used per second of wall time
// between the readings nearest inside [from, to]: both ends of a span are
// read together (CPU time and instant), so a test process slow to read
// does not move them apart. ok is false when the readings do not span at
// least a second.
func (r *childRun) cpuBetween(from, to time.Time) (float64, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var first, last *cpuSample
	for i := range r.samples {
		if c := &r.samples[i]; !c.at.Before(from) && !c.at.After(to) {
			if first == nil {
				first = c
			}
			last = c
		}
	}
	if first == nil || last.at.Sub(first.at) < time.Second {
		return 0, false
	}
	return (last.cpu - first.cpu).Seconds() / last.at.Sub(first.at).Seconds(), true
}

// statsSpan is when the first and the last stats lines arrived.
func (r *childRun) statsSpan() (time.Time, time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.firstStats, r.lastStats
}

// notes lists the distinct errors and notes output i reported.
func (r *childRun) notes(i int) []string {
	var out []string
	seen := map[string]bool{}
	for _, st := range r.all() {
		if i >= len(st.Outputs) {
			continue
		}
		for _, s := range []string{st.Outputs[i].LastError, st.Outputs[i].Note} {
			if s != "" && !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return out
}
