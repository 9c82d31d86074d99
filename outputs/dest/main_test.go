package dest

import (
	"testing"

	"go.uber.org/goleak"

	"golive/media/testpeer"
)

// TestMain runs the tests with a temporary directory of their own (the
// plain RTP SDPs a destination keeps there go with it) and fails the
// package when a goroutine outlives them (issue 21): besides the tests
// that check their own handler with goleak.VerifyNone, this covers every
// test in the package.
func TestMain(m *testing.M) { goleak.VerifyTestMain(testpeer.OwnTempDir(m)) }
