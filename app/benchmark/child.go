package benchmark

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Usage is what one child process cost, from its rusage.
type Usage struct {
	// CPU is user + system time.
	CPU time.Duration
	// MaxRSSKB is the peak resident set size in KiB (ru_maxrss on Linux).
	MaxRSSKB int64
	// Wall is the time from start to exit.
	Wall time.Duration
	// Start is when the process was started.
	Start time.Time
}

// runChild runs name with args (and env added to ours) to completion;
// ctx kills it. started is called right after the process started.
func runChild(ctx context.Context, name string, args, env []string, started func()) (Usage, []byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	u := Usage{Start: time.Now()}
	if err := cmd.Start(); err != nil {
		return u, nil, fmt.Errorf("start %s: %w", name, err)
	}
	if started != nil {
		started()
	}
	err := cmd.Wait()
	u.Wall = time.Since(u.Start)
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		u.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		u.MaxRSSKB = ru.Maxrss
	} else if err == nil {
		err = errors.New("no rusage")
	}
	if err != nil {
		return u, stdout.Bytes(), fmt.Errorf("%s: %w: %s", name, err, tail(stderr.Bytes(), 2000))
	}
	return u, stdout.Bytes(), nil
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
