package cputime

import (
	"bytes"
	"os"
	"runtime"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// IDs lists the process's threads (/proc/self/task); nil when it
// cannot be read.
func IDs() map[int]bool {
	entries, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return nil
	}
	out := make(map[int]bool, len(entries))
	for _, e := range entries {
		if id, err := strconv.Atoi(e.Name()); err == nil {
			out[id] = true
		}
	}
	return out
}

// Thread is the CPU time thread id of this process has run: the first field of its
// schedstat (nanoseconds), else utime+stime of its stat (clock ticks);
// false when the thread is gone.
func Thread(id int) (time.Duration, bool) {
	dir := "/proc/self/task/" + strconv.Itoa(id)
	if b, err := os.ReadFile(dir + "/schedstat"); err == nil {
		if f := bytes.Fields(b); len(f) > 0 {
			if ns, err := strconv.ParseInt(string(f[0]), 10, 64); err == nil {
				return time.Duration(ns), true
			}
		}
	}
	b, err := os.ReadFile(dir + "/stat")
	if err != nil {
		return 0, false
	}
	// Fields after the command name (which may hold spaces), from the
	// state (field 3): utime and stime are fields 14 and 15.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 13 {
		return 0, false
	}
	ut, err1 := strconv.ParseInt(string(f[11]), 10, 64)
	st, err2 := strconv.ParseInt(string(f[12]), 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	const ticksPerSecond = 100 // USER_HZ on Linux
	return time.Duration(ut+st) * time.Second / ticksPerSecond, true
}

// LockThread locks the calling goroutine to its OS thread and returns
// the thread's id, and the function that unlocks it.
func LockThread() (int, func()) {
	runtime.LockOSThread()
	return unix.Gettid(), runtime.UnlockOSThread
}

// OnThread is the CPU time of the calling (locked) thread.
func OnThread() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}
