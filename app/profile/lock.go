package profile

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// LockName is the lock file next to the profiles file. Every read-modify-
// write of the profiles file holds it, so two GoLive instances (the
// window and a `golive profile` command, say) apply their changes one
// after the other instead of overwriting each other.
const LockName = "profiles.lock"

// ErrLocked is returned when another process holds the lock for longer
// than lockWait.
var ErrLocked = errors.New("profiles file is locked by another GoLive instance")

// lockWait is how long to wait for another instance's save to finish.
var lockWait = 5 * time.Second

// acquireLock takes the exclusive lock in dir, waiting up to lockWait.
func acquireLock(dir string) (release func(), err error) {
	path := dir + string(os.PathSeparator) + LockName
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	deadline := time.Now().Add(lockWait)
	for {
		ok, err := tryLock(f)
		if err != nil {
			_ = f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			holder := readHolder(path)
			_ = f.Close()
			return nil, fmt.Errorf("%w (%s) for more than %v; %s", ErrLocked, holder, lockWait, path)
		}
		time.Sleep(25 * time.Millisecond)
	}
	// Record who holds it, for the message another instance shows.
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return func() {
		_ = unlock(f)
		_ = f.Close()
	}, nil
}

func readHolder(path string) string {
	b, err := os.ReadFile(path)
	pid := strings.TrimSpace(string(b))
	if err != nil || pid == "" {
		return "unknown process"
	}
	return "pid " + pid
}
