//go:build !linux

package cputime

import "time"

// Elsewhere than Linux threads are not listed and their CPU time is not
// read: callers fall back to wall time.

// IDs returns nil: threads are not listed.
func IDs() map[int]bool { return nil }

// Thread reports false: a thread's time is not read.
func Thread(int) (time.Duration, bool) { return 0, false }

// LockThread locks nothing and returns 0.
func LockThread() (int, func()) { return 0, func() {} }

// OnThread returns 0.
func OnThread() time.Duration { return 0 }
