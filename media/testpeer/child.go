package testpeer

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Environment of a test binary re-run as a child process by Child.
const (
	// ChildEnv holds the role the parent gave the child.
	ChildEnv = "GOLIVE_TEST_CHILD"
	// ChildArgsEnv holds the child's arguments, separated by \x1f.
	ChildArgsEnv = "GOLIVE_TEST_CHILD_ARGS"
)

// Child re-runs the current test binary as a child process: the pattern
// of the tests that need a process of their own (killed with SIGKILL,
// interrupted, on a private D-Bus, with a display, as `golive`).
type Child struct {
	// Role tells the child what to be (ChildRole); not empty.
	Role string
	// Run is the test the child runs (its whole name); "" runs none, for
	// roles a TestMain serves.
	Run string
	// Args are the child's arguments (ChildArgs), such as golive's.
	Args []string
	// Env is added to the environment.
	Env []string
	// BaseEnv is the environment to start from (nil: this process's).
	BaseEnv []string
	// Wrapper is a program and its arguments the child runs under
	// (dbus-run-session --, runuser -u nobody --).
	Wrapper []string
	// Exe is the test binary to run (default: this one, os.Args[0]); a
	// copy where another user can run it (CopyTestBinary) for runuser.
	Exe string
}

// Command returns the child's command; the caller starts and waits for it.
func (c Child) Command() *exec.Cmd {
	run := "-test.run=^" + c.Run + "$"
	if c.Run == "" {
		run = "-test.run=^$"
	}
	exe := c.Exe
	if exe == "" {
		exe = os.Args[0]
	}
	argv := append(append([]string{}, c.Wrapper...), exe, run, "-test.count=1")
	cmd := exec.Command(argv[0], argv[1:]...)
	base := c.BaseEnv
	if base == nil {
		base = os.Environ()
	}
	cmd.Env = append(append(append([]string{}, base...), ChildEnv+"="+c.Role,
		ChildArgsEnv+"="+strings.Join(c.Args, "\x1f")), c.Env...)
	// Daemons a wrapper starts (dbus-daemon) may keep the output pipes
	// open after the child ended: Wait does not wait for them.
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// ChildRole returns the role this process was started in by Child, "" in
// an ordinary test run. A TestMain that serves roles, or a test that is
// also the child's body, checks it first.
func ChildRole() string { return os.Getenv(ChildEnv) }

// ChildArgs returns the arguments the parent gave this child process.
func ChildArgs() []string {
	if a := os.Getenv(ChildArgsEnv); a != "" {
		return strings.Split(a, "\x1f")
	}
	return nil
}

// ServeChild runs main with the child's arguments and exits with its code
// when this process is a child started in role; in any other process it
// skips t (the test is only the child's body).
func ServeChild(t testing.TB, role string, main func(args []string) int) {
	if ChildRole() != role {
		t.Skip("only run as a child process")
	}
	os.Exit(main(ChildArgs())) //nolint:forbidigo // the child test process ends with the code of what it ran
}

// ChildProcess is a started Child.
type ChildProcess struct {
	Cmd *exec.Cmd
	// Stdout is the child's standard output, to read as it comes.
	Stdout io.Reader
	// Stderr collects its standard error.
	Stderr *LockedBuffer
}

// Start starts the child with its standard output piped, kills it after
// limit, and kills it when the test ends if it still runs. The caller
// reads Stdout and waits for Cmd.
func (c Child) Start(t testing.TB, limit time.Duration) *ChildProcess {
	t.Helper()
	p := &ChildProcess{Cmd: c.Command(), Stderr: &LockedBuffer{}}
	p.Cmd.Stderr = p.Stderr
	stdout, err := p.Cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.Stdout = stdout
	if err := p.Cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killer := time.AfterFunc(limit, func() { _ = p.Cmd.Process.Kill() })
	t.Cleanup(func() {
		killer.Stop()
		_ = p.Cmd.Process.Kill() // no-op once it has been waited for
	})
	return p
}

// CopyTestBinary copies this test binary into dir (mode 0755), so that a
// child run as another user (runuser -u nobody) can execute it: go test
// builds it in a folder only its owner can enter.
func CopyTestBinary(dir string) (string, error) {
	b, err := os.ReadFile(os.Args[0])
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, filepath.Base(os.Args[0]))
	if err := os.WriteFile(path, b, 0o755); err != nil {
		return "", err
	}
	return path, os.Chmod(path, 0o755)
}

// StopProcess ends a peer process: it sends sig (SIGTERM, SIGINT), waits
// up to grace for exited to close, then kills it and waits. exited is
// closed by the goroutine that waits for the process.
func StopProcess(p *os.Process, exited <-chan struct{}, sig os.Signal, grace time.Duration) {
	_ = p.Signal(sig)
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-exited:
	case <-t.C:
		_ = p.Kill()
		<-exited
	}
}
