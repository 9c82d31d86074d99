package testpeer

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// VLCRecorder runs VLC (cvlc, dummy interface) as a real RTP receiver and
// has it write what it received to an MPEG-TS file, the way a user
// previews an RTP target in VLC. VLC refuses to run as root, so as root it
// runs as user nobody (runuser) in a directory nobody can write. The live
// input never ends by itself: `timeout` stops VLC after Duration.
type VLCRecorder struct {
	// URL is what VLC opens, e.g. rtp://@127.0.0.1:5004.
	URL string
	// Args are extra VLC options (e.g. --srtp-key=..., --srtp-salt=...).
	Args []string
	// Duration bounds VLC's run (default 20 s).
	Duration time.Duration

	dir  string
	out  string
	cmd  *exec.Cmd
	log  LockedBuffer
	done chan error
}

// LockedBuffer is a bytes.Buffer safe to read while a process writes it.
type LockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *LockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *LockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Start launches VLC and returns once it listens on the URL's UDP port (or
// fails after 10 s). Call Wait to get the recording and Cleanup when done.
func (v *VLCRecorder) Start(ctx context.Context) error {
	if v.Duration <= 0 {
		v.Duration = 20 * time.Second
	}
	port, err := urlPort(v.URL)
	if err != nil {
		return err
	}
	if v.dir, err = os.MkdirTemp("", "golive-vlc-"); err != nil {
		return err
	}
	// nobody must be able to write its HOME and the output file.
	if err := os.Chmod(v.dir, 0o777); err != nil {
		return err
	}
	v.out = filepath.Join(v.dir, "received.ts")
	secs := strconv.Itoa(int(v.Duration.Round(time.Second) / time.Second))
	args := []string{"env", "HOME=" + v.dir, "timeout", secs, "cvlc", "-I", "dummy", "--no-video-title-show", v.URL}
	args = append(args, v.Args...)
	args = append(args, "--sout", "#std{access=file,mux=ts,dst="+v.out+"}")
	if os.Geteuid() == 0 {
		args = append([]string{"runuser", "-u", "nobody", "--"}, args...)
	}
	v.cmd = exec.CommandContext(ctx, args[0], args[1:]...)
	v.cmd.Dir = v.dir
	v.cmd.Stdout, v.cmd.Stderr = &v.log, &v.log
	if err := v.cmd.Start(); err != nil {
		return fmt.Errorf("start vlc: %w", err)
	}
	v.done = make(chan error, 1)
	go func() { v.done <- v.cmd.Wait() }()
	return v.waitListening(ctx, port)
}

// waitListening polls the kernel's UDP socket table for the port.
func (v *VLCRecorder) waitListening(ctx context.Context, port int) error {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if UDPPortBound(port) {
			return nil
		}
		select {
		case err := <-v.done:
			v.done <- err
			return fmt.Errorf("vlc exited before listening: %w: %s", err, v.log.String())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("vlc not listening on udp port %d after 10 s: %s", port, v.log.String())
}

// Wait waits for VLC to end (Duration) and returns the path of the
// recorded MPEG-TS and VLC's log. Exit status 124 (stopped by timeout) is
// the normal end.
func (v *VLCRecorder) Wait() (string, string, error) {
	err := <-v.done
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 124 {
		err = nil
	}
	if err != nil {
		return "", v.log.String(), fmt.Errorf("vlc: %w: %s", err, v.log.String())
	}
	if st, serr := os.Stat(v.out); serr != nil || st.Size() == 0 {
		return "", v.log.String(), fmt.Errorf("vlc wrote nothing to %s: %s", v.out, v.log.String())
	}
	return v.out, v.log.String(), nil
}

// Cleanup removes VLC's directory and recording.
func (v *VLCRecorder) Cleanup() {
	if v.dir != "" {
		os.RemoveAll(v.dir)
	}
}

func urlPort(url string) (int, error) {
	i := strings.LastIndexByte(url, ':')
	if i < 0 {
		return 0, fmt.Errorf("vlc url %q has no port", url)
	}
	port, err := strconv.Atoi(url[i+1:])
	if err != nil {
		return 0, fmt.Errorf("vlc url %q: bad port: %w", url, err)
	}
	return port, nil
}

// UDPPortBound reports whether some process has a UDP socket bound to the
// local port (IPv4 or IPv6), from /proc/net/udp{,6}. A test uses it to
// start sending only once an external receiver listens.
func UDPPortBound(port int) bool {
	want := fmt.Sprintf(":%04X", port)
	for _, name := range []string{"/proc/net/udp", "/proc/net/udp6"} {
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) > 1 && strings.HasSuffix(fields[1], want) {
				f.Close()
				return true
			}
		}
		f.Close()
	}
	return false
}
