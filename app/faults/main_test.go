package faults

import (
	"os"
	"testing"

	"golive/media/testpeer"
)

// TestMain runs the tests with a temporary directory of their own (the
// plain RTP SDPs a destination keeps there go with it).
func TestMain(m *testing.M) { os.Exit(testpeer.OwnTempDir(m).Run()) }
