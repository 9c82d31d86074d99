package engine

import (
	"slices"

	"golive/media/cputime"
)

// The thread CPU readers encoders use (see media/cputime).
var (
	threadIDs   = cputime.IDs
	threadTime  = cputime.Thread
	lockThread  = cputime.LockThread
	onThreadCPU = cputime.OnThread
)

func sortedKeys(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
