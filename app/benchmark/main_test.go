package benchmark

import (
	"testing"

	"go.uber.org/goleak"

	"golive/media/testpeer"
)

// TestMain runs the tests with a temporary directory of their own (the
// plain RTP SDPs a destination keeps there go with it) and fails the
// package when a goroutine outlives them (issue 21): the tests run
// `golive profile` through cli.Main in this process.
func TestMain(m *testing.M) { goleak.VerifyTestMain(testpeer.OwnTempDir(m)) }
