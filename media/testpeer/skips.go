package testpeer

import "testing"

// MaxSkippedPercent is how many of the captured frames a real-time test
// lets the encoder skip when the machine is loaded: checks that need every
// frame (key frames exactly every 60 frames, every A/V marker in sync, no
// gap in the frame grid) relax, and the test says so in its log; past this
// share the test fails, since so many skips hide a real regression.
const MaxSkippedPercent = 5

// RelaxForSkips logs the frames the engine skipped (what names the run)
// and fails t when they exceed MaxSkippedPercent of total. It returns
// whether the checks that need every frame must relax (skipped > 0).
func RelaxForSkips(t testing.TB, what string, skipped, total uint64) bool {
	t.Helper()
	if skipped == 0 {
		return false
	}
	t.Logf("%s: the encoder skipped %d of %d frames under load: checks that need every frame relax (limit %d%%)",
		what, skipped, total, MaxSkippedPercent)
	if total == 0 || skipped*100 > total*MaxSkippedPercent {
		t.Errorf("%s: %d of %d frames skipped, more than %d%%: too many to relax the checks", what, skipped, total,
			MaxSkippedPercent)
	}
	return true
}
