package testpeer

import (
	"fmt"
	"os"
)

// Runner is what a TestMain runs: *testing.M, and what goleak.VerifyTestMain
// takes.
type Runner interface{ Run() int }

// OwnTempDir wraps a TestMain's m so that the package's tests (and every
// program they start) use a temporary directory of their own: TMPDIR is a
// new directory under the system one while the tests run, removed with
// all it holds afterwards. Files the product leaves in os.TempDir() on
// purpose (a plain RTP destination's SDP, golive-rtp-HOST-PORT.sdp, kept
// for players) then neither pile up in /tmp nor reach another test run.
//
//	func TestMain(m *testing.M) { goleak.VerifyTestMain(testpeer.OwnTempDir(m)) }
func OwnTempDir(m Runner) Runner { return ownTempDir{m} }

type ownTempDir struct{ m Runner }

func (o ownTempDir) Run() int {
	dir, err := os.MkdirTemp("", "golive-test-")
	if err == nil {
		// Sticky and open to all like /tmp: peers run as nobody (cvlc)
		// write into folders the tests make here.
		err = os.Chmod(dir, 0o1777)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "testpeer: own temporary directory:", err)
		return 1
	}
	old, had := os.LookupEnv("TMPDIR")
	_ = os.Setenv("TMPDIR", dir)
	defer func() {
		if had {
			_ = os.Setenv("TMPDIR", old)
		} else {
			_ = os.Unsetenv("TMPDIR")
		}
		if err := os.RemoveAll(dir); err != nil {
			fmt.Fprintln(os.Stderr, "testpeer: removing the temporary directory:", err)
		}
	}()
	return o.m.Run()
}
