//go:build !unix && !windows

package profile

import "os"

// tryLock: no advisory locks on this platform; saves still re-read the
// file before changing it.
func tryLock(*os.File) (bool, error) { return true, nil }

func unlock(*os.File) error { return nil }
