//go:build !linux

package engine

import "time"

// Elsewhere than Linux threads are not listed: encoders report the wall
// time of their calls instead.

func threadIDs() map[int]bool              { return nil }
func sortedKeys(map[int]bool) []int        { return nil }
func threadTime(int) (time.Duration, bool) { return 0, false }
func lockThread() (int, func())            { return 0, func() {} }
func onThreadCPU() time.Duration           { return 0 }
