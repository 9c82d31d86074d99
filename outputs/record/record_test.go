package record

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckRejectsBadPaths(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		r    *Recorder
		want string
	}{
		{"empty", &Recorder{}, "needs a file path"},
		{"missing folder", &Recorder{Path: filepath.Join(dir, "nope", "a.mkv")}, "does not exist"},
		{"directory", &Recorder{Path: dir}, "is a directory"},
		{"folder is a file", &Recorder{Path: filepath.Join(dir, "file.txt", "a.mkv")}, "not a directory"},
		{"read-only folder", &Recorder{Path: "/proc/a.mkv"}, "not writable"},
		{"bad format", &Recorder{Path: filepath.Join(dir, "a.mkv"), Format: "avi"}, `"avi"`},
	}
	if err := os.WriteFile(filepath.Join(dir, "file.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.r.Check()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Check() = %v, want an error mentioning %q", err, c.want)
			}
		})
	}
	ok := Recorder{Path: filepath.Join(dir, "ok.mkv")}
	if err := ok.Check(); err != nil {
		t.Fatalf("valid path: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("Check left files behind: %v", entries)
	}
}

func TestFormatFromExtension(t *testing.T) {
	cases := map[[2]string]string{
		{"a.mkv", ""}:     FormatMKV,
		{"a.MP4", ""}:     FormatMP4,
		{"a.m4v", ""}:     FormatMP4,
		{"a", ""}:         FormatMKV,
		{"a.mkv", "mp4"}:  FormatMP4,
		{"a.mp4", "MKV"}:  FormatMKV,
		{"a", "matroska"}: FormatMKV,
	}
	for in, want := range cases {
		r := Recorder{Path: in[0], Format: in[1]}
		if got, err := r.format(); err != nil || got != want {
			t.Errorf("%v: format %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestRetryNeverOverwrites(t *testing.T) {
	r := Recorder{Path: "/x/show.mkv"}
	got := []string{r.nextPath(), r.nextPath(), r.nextPath()}
	want := []string{"/x/show.mkv", "/x/show-2.mkv", "/x/show-3.mkv"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("attempt %d writes %s, want %s", i+1, got[i], want[i])
		}
	}
}
