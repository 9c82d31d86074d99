package testpeer

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a goroutine outlives the tests (issue
// 21): the peer kit's proxies, relays, receivers and process watchers run
// in every package's tests, and each must be stopped and waited for by
// the Cleanup that started it.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
