//go:build !unix

package record

import (
	"errors"
	"os"
	"syscall"
)

// freeBytes is unknown here (-1).
func freeBytes(string) int64 { return -1 }

// isDiskFull reports a full disk.
func isDiskFull(err error) bool { return errors.Is(err, syscall.ENOSPC) }

// allocate writes n random bytes to f.
func allocate(f *os.File, n int) error {
	buf := make([]byte, n)
	fillRandom(buf)
	_, err := f.Write(buf)
	return err
}
