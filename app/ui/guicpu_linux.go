//go:build linux

package ui

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// guiThreadsCPU returns the CPU time used so far by the threads that
// paint the window: the main thread (Fyne's driver runs the main
// goroutine locked to it) and, under Mesa's software OpenGL, its
// "llvmpipe-N" rasterizer threads. It reads /proc/self/task/*/schedstat
// (nanoseconds); ok is false when /proc cannot be read.
func guiThreadsCPU() (used time.Duration, ok bool) {
	pid := strconv.Itoa(os.Getpid())
	used, ok = threadCPU(pid)
	if !ok {
		return 0, false
	}
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return used, true
	}
	for _, t := range tasks {
		if t.Name() == pid {
			continue
		}
		comm, err := os.ReadFile("/proc/self/task/" + t.Name() + "/comm")
		if err != nil || !strings.HasPrefix(string(comm), "llvmpipe") {
			continue
		}
		if d, ok := threadCPU(t.Name()); ok {
			used += d
		}
	}
	return used, true
}

// threadCPU reads the time thread tid of this process has run.
func threadCPU(tid string) (time.Duration, bool) {
	b, err := os.ReadFile("/proc/self/task/" + tid + "/schedstat")
	if err != nil {
		return 0, false
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0, false
	}
	ns, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return 0, false
	}
	return time.Duration(ns), true
}
