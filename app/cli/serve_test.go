package cli

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golive/app/control"
	"golive/app/profile"
)

// TestServeRefusesBadInput: each mistake is one clear line and exit code
// 2, before anything listens.
func TestServeRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte("\nsecond\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--listen", "nowhere"}, "want HOST:PORT"},
		{[]string{"--metrics", "9090"}, "want HOST:PORT"},
		{[]string{"--profile", "No such"}, "No such"},
		{[]string{"--password-file", filepath.Join(dir, "missing")}, "--password-file"},
		{[]string{"--password-file", empty}, "first line is empty"},
		{[]string{"extra"}, "unexpected argument"},
	}
	for _, c := range cases {
		var out bytes.Buffer
		code := Main(context.Background(), append([]string{"serve"}, c.args...),
			Env{Stdout: &out, Stderr: &out, ConfigDir: dir, Keyring: &profile.MemoryKeyring{}})
		if code != ExitUsage || !strings.Contains(out.String(), c.want) {
			t.Errorf("serve %v: exit %d, output %q; want 2 and %q", c.args, code, out.String(), c.want)
		}
	}
}

// TestServeGeneratesPassword: without --password-file the password is
// generated once, kept in the keychain, and never printed; SIGINT (the
// context) ends serve cleanly.
func TestServeGeneratesPassword(t *testing.T) {
	dir := t.TempDir()
	kr := &profile.MemoryKeyring{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var out bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"serve", "--listen", addr}, Env{Stdout: &out, Stderr: &out, ConfigDir: dir, Keyring: kr})
	}()
	var pw string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && pw == ""; time.Sleep(50 * time.Millisecond) {
		pw, _ = kr.Get(profile.KeyringService, control.PasswordKeyringUser)
	}
	if len(pw) < 20 {
		t.Fatalf("no generated password in the keychain: %q", pw)
	}
	time.Sleep(200 * time.Millisecond)
	cancel()
	if code := <-done; code != ExitOK {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	if strings.Contains(out.String(), pw) || !strings.Contains(out.String(), "OS keychain") {
		t.Fatalf("output %q: want where the password is, never the password", out.String())
	}
}
