package rtmp

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when any test leaves a goroutine behind
// (writers, read loops, watchdogs, proxies, handlers).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
