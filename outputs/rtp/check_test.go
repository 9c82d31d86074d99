package rtp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golive/outputs/rtptarget"
)

func TestCheckSDPPath(t *testing.T) {
	dir := t.TempDir()
	ok := &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: 5004, SDPPath: filepath.Join(dir, "a.sdp")}}
	if err := ok.Check(); err != nil {
		t.Fatalf("writable folder: %v", err)
	}
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		filepath.Join(dir, "missing", "a.sdp"): "does not exist",
		filepath.Join(file, "a.sdp"):           "is not a folder",
	} {
		tg := &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: 5004, SDPPath: path}}
		if err := tg.Check(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Check(%s) = %v, want %q", path, err, want)
		}
	}
}
