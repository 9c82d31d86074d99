package record

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// DefaultNameLayout is the time layout of a recording's default name, as
// OBS names its recordings: "2026-12-07 14-03-22.mkv".
const DefaultNameLayout = "2006-01-02 15-04-05"

// maxFreeNameTries bounds the search for a free " (N)" name.
const maxFreeNameTries = 10000

// target is where a recording goes: a folder and a file name to make
// free, or a special file (a FIFO, a device) written as it is.
type target struct {
	dir, base, ext string
	special        string // path of an existing non-regular file
}

// resolve turns Path into a target: "" is the user's Videos folder, a
// folder (an existing one, or a path ending in a separator) gets a
// date-and-time name, anything else is the file name the user chose.
func (r *Recorder) resolve(format string, now time.Time) (target, error) {
	ext := "." + format
	path := r.Path
	if path == "" {
		dir, err := VideosDir()
		if err != nil {
			return target{}, err
		}
		return target{dir: dir, base: now.Format(DefaultNameLayout), ext: ext}, nil
	}
	fi, err := os.Stat(path)
	isDir := err == nil && fi.IsDir()
	if isDir || strings.HasSuffix(path, string(os.PathSeparator)) || strings.HasSuffix(path, "/") {
		return target{dir: filepath.Clean(path), base: now.Format(DefaultNameLayout), ext: ext}, nil
	}
	if err == nil && !fi.Mode().IsRegular() {
		return target{dir: filepath.Dir(path), special: path}, nil
	}
	if e := filepath.Ext(path); e != "" {
		ext = e
	}
	return target{dir: filepath.Dir(path), base: strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)), ext: ext}, nil
}

// create opens the target's file: the chosen name when it is free,
// otherwise "NAME (2).EXT", "NAME (3).EXT"... created exclusively, so an
// existing recording is never replaced, not even by a race.
func (tg target) create() (*os.File, string, error) {
	if tg.special != "" {
		f, err := os.OpenFile(tg.special, os.O_WRONLY, 0)
		if err != nil {
			return nil, "", fmt.Errorf("open %s: %w", tg.special, err)
		}
		return f, tg.special, nil
	}
	for n := 1; n <= maxFreeNameTries; n++ {
		name := tg.base + tg.ext
		if n > 1 {
			name = fmt.Sprintf("%s (%d)%s", tg.base, n, tg.ext)
		}
		path := filepath.Join(tg.dir, name)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			return f, path, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, "", fmt.Errorf("create %s: %w", path, err)
		}
	}
	return nil, "", fmt.Errorf("no free file name for %s%s in %s after %d tries", tg.base, tg.ext, tg.dir, maxFreeNameTries)
}

// VideosDir is the user's Videos folder: XDG_VIDEOS_DIR from
// $XDG_CONFIG_HOME/user-dirs.dirs (xdg-user-dirs), or ~/Videos. It is
// created when missing.
func VideosDir() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the Videos folder (set a recording folder): %w", err)
	}
	dir := xdgVideosDir(home)
	if dir == "" {
		dir = filepath.Join(home, "Videos")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create the Videos folder %s: %w", dir, err)
	}
	return dir, nil
}

// xdgVideosDir reads XDG_VIDEOS_DIR from user-dirs.dirs ("" when unset).
// The file's lines look like XDG_VIDEOS_DIR="$HOME/Videos".
func xdgVideosDir(home string) string {
	cfg := os.Getenv("XDG_CONFIG_HOME")
	if cfg == "" || !filepath.IsAbs(cfg) {
		cfg = filepath.Join(home, ".config")
	}
	f, err := os.Open(filepath.Join(cfg, "user-dirs.dirs"))
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, val, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if !ok || strings.TrimSpace(name) != "XDG_VIDEOS_DIR" {
			continue
		}
		val = strings.Trim(strings.TrimSpace(val), `"`)
		val = strings.Replace(val, "$HOME", home, 1)
		if !filepath.IsAbs(val) || filepath.Clean(val) == filepath.Clean(home) {
			return "" // the spec: a value equal to $HOME means "disabled"
		}
		return filepath.Clean(val)
	}
	return ""
}
