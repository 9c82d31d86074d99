package testpeer

import (
	"os"
	"os/exec"
)

// ChildEnv marks a test binary re-run as a child process by ChildCommand;
// its value is the role the parent gave it.
const ChildEnv = "GOLIVE_TEST_CHILD"

// ChildRole returns the role this process was started in by ChildCommand,
// "" in an ordinary test run. A TestMain that serves roles itself, or a
// test that is also the child's body, checks it first.
func ChildRole() string { return os.Getenv(ChildEnv) }

// ChildCommand returns a command that runs the current test binary again
// as a child process in role: with ChildEnv=role and env added to this
// process's environment, running only the test named run (the whole name;
// "" runs no test, for roles a TestMain serves). wrapper, when given, is a
// program and its arguments the child runs under (dbus-run-session --,
// runuser -u nobody --). The caller starts and waits for it.
func ChildCommand(role, run string, wrapper []string, env ...string) *exec.Cmd {
	args := []string{"-test.run=^" + run + "$", "-test.count=1"}
	if run == "" {
		args[0] = "-test.run=^$"
	}
	argv := append(append(append([]string{}, wrapper...), os.Args[0]), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(append(os.Environ(), ChildEnv+"="+role), env...)
	return cmd
}
