package testpeer

import (
	"os/exec"
	"syscall"
)

// diesWithUs has the kernel send cmd's process SIGKILL when the thread
// that started it ends (prctl PR_SET_PDEATHSIG; Go keeps its threads
// unless a goroutine exits locked to one, which GoLive never does): a test
// binary killed by -timeout or by hand, whose Cleanup never runs, leaves
// no server behind holding its ports, or the file descriptor of the
// machine's heavy-test lock that it inherited from flock (an orphaned
// MediaMTX once held that lock for everyone).
func diesWithUs(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
