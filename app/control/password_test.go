package control

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golive/app/profile"
)

func TestReadPasswordFile(t *testing.T) {
	dir := t.TempDir()
	cases := []struct{ content, want, err string }{
		{"s3cret\n", "s3cret", ""},
		{"s3cret", "s3cret", ""},
		{"s3 cret\r\nsecond line\n", "s3 cret", ""},
		{"\nafter an empty line\n", "", "first line is empty"},
		{"", "", "first line is empty"},
		{strings.Repeat("x", 5000), "", "longer than"},
	}
	for i, c := range cases {
		path := filepath.Join(dir, "pw")
		if err := os.WriteFile(path, []byte(c.content), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := ReadPasswordFile(path)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("case %d: error %v, want %q", i, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("case %d: %q, %v; want %q", i, got, err, c.want)
		}
	}
	if _, err := ReadPasswordFile(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing file was accepted")
	}
}

// TestStoredPassword: generated once, then the same; in the keychain when
// there is one, else in a 0600 file.
func TestStoredPassword(t *testing.T) {
	kr := &profile.MemoryKeyring{}
	dir := t.TempDir()
	pw, where, err := StoredPassword(dir, kr)
	if err != nil || len(pw) != passwordLen || where != "the OS keychain" {
		t.Fatalf("keychain: %q %q %v", pw, where, err)
	}
	again, _, _ := StoredPassword(dir, kr)
	if again != pw || kr.Len() != 1 {
		t.Fatalf("second call gave %q (first %q), %d entries", again, pw, kr.Len())
	}
	if _, err := os.Stat(filepath.Join(dir, PasswordFileName)); err == nil {
		t.Fatal("a password file was written next to a keychain")
	}
	fpw, where, err := StoredPassword(dir, profile.NoKeyring{})
	if err != nil || len(fpw) != passwordLen || fpw == pw {
		t.Fatalf("file: %q %q %v", fpw, where, err)
	}
	fi, err := os.Stat(where)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("password file %s: %v, mode %v", where, err, fi.Mode())
	}
	if again, _, _ := StoredPassword(dir, profile.NoKeyring{}); again != fpw {
		t.Fatalf("file password changed: %q then %q", fpw, again)
	}
	// A keychain that fails falls back to the file.
	if got, _, err := StoredPassword(dir, &profile.MemoryKeyring{Fail: os.ErrPermission}); err != nil || got != fpw {
		t.Fatalf("failing keychain: %q, %v", got, err)
	}
}
