package record

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golive/media/testpeer"
)

func TestCheckRejectsBadPaths(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		r    *Recorder
		want string
	}{
		{"missing folder", &Recorder{Path: filepath.Join(dir, "nope", "a.mkv")}, "does not exist"},
		{"missing folder given as a folder", &Recorder{Path: filepath.Join(dir, "nope") + "/"}, "does not exist"},
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
	for _, ok := range []*Recorder{{Path: filepath.Join(dir, "ok.mkv")}, {Path: dir}, {Path: filepath.Join(dir, "file.txt")}} {
		if err := ok.Check(); err != nil {
			t.Fatalf("valid path %s: %v", ok.Path, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("Check left files behind: %v", entries)
	}
}

// TestNamesNeverOverwrite: a taken name gets " (2)", " (3)"; a folder
// gets OBS-style date-and-time names; "" is the XDG Videos folder.
func TestNamesNeverOverwrite(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2026, 12, 7, 14, 3, 22, 0, time.Local)
	create := func(r *Recorder) string {
		t.Helper()
		format, err := r.format()
		if err != nil {
			t.Fatal(err)
		}
		tg, err := r.resolve(format, at)
		if err != nil {
			t.Fatal(err)
		}
		f, path, err := tg.create()
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		return path
	}
	show := filepath.Join(dir, "show.mkv")
	if err := os.WriteFile(show, []byte("first broadcast"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &Recorder{Path: show}
	got := []string{create(r), create(r)}
	want := []string{filepath.Join(dir, "show (2).mkv"), filepath.Join(dir, "show (3).mkv")}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("attempt %d writes %s, want %s", i+1, got[i], want[i])
		}
	}
	if b, _ := os.ReadFile(show); string(b) != "first broadcast" {
		t.Fatalf("existing recording changed: %q", b)
	}
	folder := &Recorder{Path: dir + "/", Format: "mp4"}
	if got := create(folder); got != filepath.Join(dir, "2026-12-07 14-03-22.mp4") {
		t.Errorf("folder recording named %s", got)
	}
	if got := create(folder); got != filepath.Join(dir, "2026-12-07 14-03-22 (2).mp4") {
		t.Errorf("second folder recording named %s", got)
	}

	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", "")
	if got := create(&Recorder{}); got != filepath.Join(home, "Videos", "2026-12-07 14-03-22.mkv") {
		t.Errorf("default recording named %s", got)
	}
	if err := os.MkdirAll(filepath.Join(home, ".config"), 0o700); err != nil {
		t.Fatal(err)
	}
	dirs := "# xdg-user-dirs\nXDG_VIDEOS_DIR=\"$HOME/Filme\"\n"
	if err := os.WriteFile(filepath.Join(home, ".config", "user-dirs.dirs"), []byte(dirs), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := create(&Recorder{}); got != filepath.Join(home, "Filme", "2026-12-07 14-03-22.mkv") {
		t.Errorf("XDG_VIDEOS_DIR recording named %s", got)
	}
}

// TestSpaceWarning records into a 64 MB tmpfs (mounted by the test, so
// the free space is known whatever the machine's disks hold): 30 min at
// 2628 kb/s (591 MB) do not fit and earn a warning naming the folder, the
// minutes left and what to do; 30 min at 128 kb/s (29 MB) fit and do not.
func TestSpaceWarning(t *testing.T) {
	dir := testpeer.MountTmpfs(t, "64m")
	r := &Recorder{Path: filepath.Join(dir, "a.mkv")}
	w := r.SpaceWarning(2_628_000)
	for _, want := range []string{"free in " + dir + ":", "about 3 min of recording at 2628 kb/s",
		"less than 30 min", "free some space or record to another folder"} {
		if !strings.Contains(w, want) {
			t.Errorf("warning %q, want %q in it", w, want)
		}
	}
	if w := r.SpaceWarning(128_000); w != "" {
		t.Errorf("30 min at 128 kb/s fit in 64 MB, yet: %q", w)
	}
	if w := r.SpaceWarning(0); w != "" {
		t.Errorf("no bit rate, yet: %q", w)
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
