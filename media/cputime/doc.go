// Package cputime reads the CPU time of one OS thread of this process
// (Linux: /proc/self/task/TID/schedstat, in nanoseconds, else the
// utime+stime of its stat; CLOCK_THREAD_CPUTIME_ID for the calling
// thread). A goroutine locked to its thread (LockThread) has the
// thread's time as its own: encoders and destination senders report
// their CPU this way, time spent waiting for a core not counted.
package cputime
