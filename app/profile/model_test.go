package profile

import (
	"bytes"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"testing"
)

func TestRTMPNeverPrintsKey(t *testing.T) {
	p := fullProfile()
	r := p.Destinations[0].RTMP
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("dest", "rtmp", *r, "ptr", r)
	text := fmt.Sprintf("%v %+v %s %v %+v", *r, *r, *r, r, p) + logs.String()
	requireNoLeak(t, "formatted RTMP", text)
	if !strings.Contains(text, "****QrSt") || !strings.Contains(logs.String(), `"key":"****QrSt"`) {
		t.Fatalf("masked key not shown:\n%s", text)
	}
}

func TestAutoDetectFallsBackToFile(t *testing.T) {
	t.Setenv("GOLIVE_KEYRING", "file") // never touch a developer's real keychain
	s := &Store{Dir: t.TempDir(), Logger: discardLogger()}
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	if s.KeysInKeychain() {
		t.Fatal("GOLIVE_KEYRING=file still uses a keychain")
	}
	if err := s.Add(fullProfile()); err != nil {
		t.Fatal(err)
	}
	n := strings.Join(s.Notices(), "\n")
	if !strings.Contains(n, "No OS keychain is available (GOLIVE_KEYRING=file is set)") {
		t.Fatalf("notices = %q", n)
	}
}

func TestDefaultDir(t *testing.T) {
	t.Setenv(ConfigDirEnv, "/x/y")
	if d, _ := DefaultDir(); d != "/x/y" {
		t.Fatalf("DefaultDir = %q", d)
	}
	if runtime.GOOS != "linux" {
		return
	}
	t.Setenv(ConfigDirEnv, "")
	t.Setenv("XDG_CONFIG_HOME", "/cfg")
	if d, _ := DefaultDir(); d != "/cfg/golive" {
		t.Fatalf("DefaultDir = %q", d)
	}
}
