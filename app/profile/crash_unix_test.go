//go:build unix

package profile

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golive/media/testpeer"
)

// TestHelperCrashingSave is run as a child process by
// TestKilledBetweenWriteAndRename: it saves a change and SIGKILLs itself
// after the temporary file is written and synced, before the rename.
func TestHelperCrashingSave(t *testing.T) {
	dir := ""
	if testpeer.ChildRole() == "crashing-save" {
		dir = testpeer.ChildArgs()[0]
	}
	if dir == "" {
		t.Skip("helper process only")
	}
	s := &Store{Dir: dir, Keyring: NoKeyring{}}
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	p, err := s.Get("Original")
	if err != nil {
		t.Fatal(err)
	}
	p.Encoder.FPS = 60
	p.Name = "Original"
	s.beforeRename = func() error {
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
	_ = s.Put(p)
	t.Fatal("still alive after SIGKILL")
}

func TestKilledBetweenWriteAndRename(t *testing.T) {
	dir := t.TempDir()
	s, _ := openStore(t, dir, nil)
	orig := fullProfile()
	orig.Name = "Original"
	if err := s.Add(orig); err != nil {
		t.Fatal(err)
	}
	before := readFile(t, s.Path())

	cmd := testpeer.Child{Role: "crashing-save", Run: "TestHelperCrashingSave", Args: []string{dir}}.Command()
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("helper did not die by SIGKILL: %v\n%s", err, out)
	}
	if after := readFile(t, s.Path()); after != before {
		t.Fatalf("profiles file changed by the killed save:\n%s", after)
	}
	temps, _ := filepath.Glob(filepath.Join(dir, FileName+".tmp-*"))
	if len(temps) != 1 || !strings.Contains(readFile(t, temps[0]), `"fps": 60`) {
		t.Fatalf("expected the interrupted temp file with the new content, got %v", temps)
	}

	s2, logs := openStore(t, dir, nil)
	p, err := s2.Get("Original")
	if err != nil {
		t.Fatal(err)
	}
	if p.Encoder.FPS != orig.Encoder.FPS {
		t.Fatalf("fps = %d, want the old %d", p.Encoder.FPS, orig.Encoder.FPS)
	}
	if temps, _ := filepath.Glob(filepath.Join(dir, FileName+".tmp-*")); len(temps) != 0 {
		t.Fatalf("stale temp files not cleaned: %v", temps)
	}
	if !strings.Contains(logs.String(), "interrupted save") {
		t.Fatalf("cleanup not logged: %s", logs)
	}
}
