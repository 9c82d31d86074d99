package record

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"sync/atomic"
	"time"
)

// reserveSize is the disk space held back, in a hidden file next to the
// recording, while it is written. When the disk fills up it is given back
// so that the frame being written and the file's index and trailer still
// fit: the recording then ends cleanly, playable to its last frame.
const reserveSize = 512 << 10

// warnMinutes is the recording time under which the free space earns a
// warning before going live.
const warnMinutes = 30

// ErrDiskFull matches a recording ended because its disk is full (ENOSPC)
// or the user's quota is used up (EDQUOT).
var ErrDiskFull = errors.New("disk full")

// DiskFullError is ErrDiskFull with what the user needs to know.
type DiskFullError struct {
	Path string // the file kept (finalised), "" if none was created
	Free int64  // bytes free after finalising it, -1 if unknown
}

func (e *DiskFullError) Error() string {
	msg := "disk full (" + formatMB(e.Free) + " free)"
	if e.Path != "" {
		msg += ": recording " + e.Path + " ended and kept (it plays to its last frame)"
	}
	return msg + "; free some space, then retry to record to a new file"
}

// Is makes errors.Is(err, ErrDiskFull) true.
func (e *DiskFullError) Is(target error) bool { return target == ErrDiskFull }

func formatMB(b int64) string {
	switch {
	case b < 0:
		return "unknown space"
	case b < 10<<20:
		return fmt.Sprintf("%.1f MB", float64(b)/(1<<20))
	default:
		return fmt.Sprintf("%d MB", b>>20)
	}
}

// reserve is the hidden file holding reserveSize bytes of the disk.
type reserve struct {
	path string
}

// newReserve takes reserveSize bytes in dir. A disk that cannot even hold
// the reserve is full: the error is ENOSPC (or EDQUOT).
func newReserve(dir string) (*reserve, error) {
	f, err := os.CreateTemp(dir, ".golive-reserve-*")
	if err != nil {
		return nil, err
	}
	err = allocate(f, reserveSize)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return nil, err
	}
	return &reserve{path: f.Name()}, nil
}

// release gives the space back; safe to call twice.
func (r *reserve) release() {
	if r != nil && r.path != "" {
		_ = os.Remove(r.path)
		r.path = ""
	}
}

// diskWriter is the muxer's output: the recording file, seekable. A write
// that fails because the disk is full releases the reserve and completes
// the write in the freed space, then marks the recording full, so the
// recorder stops at the end of that packet and finalises the file.
type diskWriter struct {
	f     *os.File
	dir   string // for the free space figure; "" for a special file
	res   *reserve
	full  atomic.Bool
	wrote atomic.Int64
}

func (w *diskWriter) Write(b []byte) (int, error) {
	n, err := w.f.Write(b)
	if err != nil && isDiskFull(err) && w.res != nil && w.res.path != "" {
		w.res.release()
		w.full.Store(true)
		var m int
		m, err = w.f.Write(b[n:])
		n += m
	} else if err != nil && isDiskFull(err) {
		w.full.Store(true)
	}
	w.wrote.Add(int64(n))
	return n, err
}

func (w *diskWriter) Seek(offset int64, whence int) (int64, error) {
	return w.f.Seek(offset, whence)
}

// close syncs (a regular file) and closes the file.
func (w *diskWriter) close() error {
	var err error
	if fi, serr := w.f.Stat(); serr == nil && fi.Mode().IsRegular() {
		err = w.f.Sync()
		if err != nil && isDiskFull(err) {
			w.full.Store(true)
		}
	}
	return errors.Join(err, w.f.Close())
}

var _ io.WriteSeeker = (*diskWriter)(nil)

// fillRandom fills b with bytes no file system can compress away.
func fillRandom(b []byte) {
	for i := 0; i+8 <= len(b); i += 8 {
		binary.LittleEndian.PutUint64(b[i:], rand.Uint64())
	}
}

// SpaceWarning returns a warning when the recording folder's free space
// holds less than warnMinutes of recording at bitrate (bits/s), or "".
// Show it before going live.
func (r *Recorder) SpaceWarning(bitrate int) string {
	format, err := r.format()
	if err != nil || bitrate <= 0 {
		return ""
	}
	tg, err := r.resolve(format, time.Now())
	if err != nil || tg.special != "" {
		return ""
	}
	free := freeBytes(tg.dir)
	if free < 0 {
		return ""
	}
	perMinute := int64(bitrate) / 8 * 60
	if free >= perMinute*warnMinutes {
		return ""
	}
	return fmt.Sprintf("only %s free in %s: about %d min of recording at %d kb/s (less than %d min); "+
		"free some space or record to another folder", formatMB(free), tg.dir, free/perMinute, bitrate/1000, warnMinutes)
}
