// Package record is the local recording destination: it writes the
// published stream to a Matroska file (default) or a fragmented MP4 file
// through media/mux. Both layouts are crash-safe: the muxer flushes every
// packet and closes a Matroska cluster or an MP4 fragment at least every
// second, so a file cut short by a crash or kill -9 plays up to its last
// second or so.
package record

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golive/media/stream"
	"golive/media/unit"
)

// Container formats a Recorder writes.
const (
	FormatMKV = "mkv"
	FormatMP4 = "mp4"
)

// flushInterval bounds how much media a crash can lose: the longest
// Matroska cluster or MP4 fragment.
const flushInterval = time.Second

// AudioCodec returns the audio codec recordings carry.
func AudioCodec() unit.Codec { return unit.CodecAAC }

// ReaderConfig returns the stream subscription a recorder needs: H.264
// (or HEVC or AV1) and AAC, with a queue deep enough to ride out a slow
// disk.
func ReaderConfig(name string) stream.ReaderConfig {
	return stream.ReaderConfig{Name: name, MaxQueue: 5 * time.Second,
		Codecs: []unit.Codec{unit.CodecH264, unit.CodecHEVC, unit.CodecAV1, AudioCodec()}}
}

// Recorder records the stream to a file. It implements dest.Worker.
//
// It never overwrites anything: a file name that is taken gets " (2)",
// " (3)"... (the stats' "file" names the file actually written), and a
// retry after an error writes a new file. A full disk ends the recording
// cleanly (the file is finalised and plays to its last frame) in the
// failed state, and no new file is made until the user retries.
type Recorder struct {
	// Path is the output file, or a folder (an existing one, or a path
	// ending in a separator) to record to "2026-12-07 14-03-22.mkv"
	// style names; "" means the user's Videos folder (VideosDir).
	Path string
	// Format is FormatMKV, FormatMP4, or empty to choose from the
	// extension (.mp4, .m4v: MP4; anything else: Matroska).
	Format string
	// Now names recordings after the time (nil = time.Now).
	Now func() time.Time

	mu      sync.Mutex
	current string // file being written
	bytes   int64
}

// Check validates the format and that the file can be created in an
// existing, writable folder, without creating the file itself.
func (r *Recorder) Check() error {
	format, err := r.format()
	if err != nil {
		return err
	}
	tg, err := r.resolve(format, r.now())
	if err != nil {
		return err
	}
	if tg.special != "" {
		return nil
	}
	return checkDir(tg.dir)
}

func (r *Recorder) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Recorder) format() (string, error) {
	switch f := strings.ToLower(r.Format); f {
	case FormatMKV, "matroska":
		return FormatMKV, nil
	case FormatMP4:
		return FormatMP4, nil
	case "":
		switch strings.ToLower(filepath.Ext(r.Path)) {
		case ".mp4", ".m4v":
			return FormatMP4, nil
		}
		return FormatMKV, nil
	default:
		return "", fmt.Errorf("unknown recording format %q (want %s or %s)", r.Format, FormatMKV, FormatMP4)
	}
}

func checkDir(dir string) error {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("recording folder %s does not exist", dir)
	case err != nil:
		return fmt.Errorf("recording folder: %w", err)
	case !st.IsDir():
		return fmt.Errorf("recording folder %s is not a directory", dir)
	}
	probe, err := os.CreateTemp(dir, ".golive-write-check-*")
	if err != nil {
		return fmt.Errorf("recording folder %s is not writable: %w", dir, err)
	}
	name := probe.Name()
	return errors.Join(probe.Close(), os.Remove(name))
}

// Detail reports the file being written (or last written) and its size.
func (r *Recorder) Detail() map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	return map[string]any{"file": r.current, "file_bytes": r.bytes}
}

// File returns the file being written, or last written ("" before one).
func (r *Recorder) File() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.current
}

func (r *Recorder) setCurrent(path string) {
	r.mu.Lock()
	r.current, r.bytes = path, 0
	r.mu.Unlock()
}

func muxerOptions(format string) (string, map[string]string) {
	limit := fmt.Sprint(flushInterval.Milliseconds())
	if format == FormatMP4 {
		return "mp4", map[string]string{
			"movflags":      "+frag_keyframe+empty_moov+default_base_moof",
			"frag_duration": fmt.Sprint(flushInterval.Microseconds()),
			"flush_packets": "1",
		}
	}
	return "matroska", map[string]string{
		"cluster_time_limit": limit,
		"flush_packets":      "1",
	}
}
