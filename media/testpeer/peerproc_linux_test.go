package testpeer

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const orphanRole = "peer-orphan"

// TestPeerDiesWithTheTest: a peer started by a test binary that is killed
// (SIGKILL: no Cleanup runs, as when -timeout or a person ends it) does not
// outlive it.
func TestPeerDiesWithTheTest(t *testing.T) {
	if ChildRole() == orphanRole {
		peer := exec.Command("sleep", "300")
		diesWithUs(peer)
		if err := peer.Start(); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println("peer", peer.Process.Pid)
		time.Sleep(time.Minute) // until the parent kills this process
		return
	}
	if ChildRole() != "" {
		t.Skip("another child role")
	}
	child := Child{Role: orphanRole, Run: "TestPeerDiesWithTheTest"}.Command()
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = child.Process.Kill(); _ = child.Wait() }()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("child: %v (%q)", err, line)
	}
	pid, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(line), "peer "))
	if err != nil {
		t.Fatalf("child said %q", line)
	}
	if !running(pid) {
		t.Fatalf("the peer (pid %d) is not running", pid)
	}
	_ = child.Process.Kill()
	_ = child.Wait()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if !running(pid) {
			return
		}
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("the peer (pid %d) outlived the killed test binary by 5 s", pid)
		}
	}
}

// running reports whether pid is a live process: a zombie (killed, not
// yet reaped by a PID 1 that may never reap it) is not.
func running(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// pid (comm) STATE ...: comm may hold spaces and parentheses.
	_, rest, ok := strings.Cut(string(b), ") ")
	return ok && !strings.HasPrefix(rest, "Z")
}
