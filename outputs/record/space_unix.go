//go:build unix

package record

import (
	"errors"
	"os"
	"syscall"
)

// freeBytes is the space an unprivileged user can still write in dir, or
// -1 when it cannot be told.
func freeBytes(dir string) int64 {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return -1
	}
	return int64(st.Bavail) * int64(st.Bsize) //nolint:unconvert // field types differ between systems
}

// isDiskFull reports a full disk (ENOSPC) or a used-up quota (EDQUOT).
func isDiskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

// allocate makes f hold n bytes of disk. Random bytes are written rather
// than fallocate or zeros: that works on every file system, and neither
// sparse files nor compression (btrfs, ZFS) can make the space vanish.
func allocate(f *os.File, n int) error {
	buf := make([]byte, 64<<10)
	for n > 0 {
		fillRandom(buf)
		k := min(n, len(buf))
		if _, err := f.Write(buf[:k]); err != nil {
			return err
		}
		n -= k
	}
	return f.Sync()
}
