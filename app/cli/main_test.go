package cli

import (
	"testing"

	"go.uber.org/goleak"

	"golive/media/testpeer"
)

// TestMain runs the tests with a temporary directory of their own (the
// plain RTP SDPs a destination keeps there go with it) and fails the
// package when any goroutine outlives them: cli.Main runs whole live
// sessions, `golive serve` and profile commands in this process, so every
// encoder, output, stats printer, metrics and control server they start
// must be stopped and waited for before Main returns (issue 21). goleak's
// defaults already ignore the runtime's and os/signal's own goroutines; no
// other exception is needed.
func TestMain(m *testing.M) { goleak.VerifyTestMain(testpeer.OwnTempDir(m)) }
