package srt

import (
	"fmt"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"golive/media/testpeer"
	"golive/media/unit"
	"golive/outputs/dest"
	"golive/outputs/dest/desttest"
	"golive/outputs/internal/peertest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func newEngine(t *testing.T) *peertest.Engine {
	return peertest.NewEngine(t, 0, unit.CodecAAC)
}

func handler(t *testing.T, e *peertest.Engine, name string, p *Publisher) *dest.Handler {
	return e.Handler(t, name, "srt", p, ReaderConfig(name))
}

var waitState = desttest.WaitState

// ffmpegListener is `ffmpeg -i srt://127.0.0.1:PORT?mode=listener`
// recording what it receives (stream copy) to a file.
type ffmpegListener struct {
	cmd    *exec.Cmd
	stderr testpeer.LockedBuffer
	exited chan struct{}
}

func startListener(t *testing.T, port int, passphrase, out string) *ffmpegListener {
	t.Helper()
	in := fmt.Sprintf("srt://127.0.0.1:%d?mode=listener", port)
	if passphrase != "" {
		in += "&passphrase=" + passphrase
	}
	l := &ffmpegListener{exited: make(chan struct{})}
	l.cmd = exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y", "-i", in,
		"-map", "0", "-c", "copy", "-f", "mpegts", out)
	l.cmd.Stderr = &l.stderr
	if err := l.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = l.cmd.Wait(); close(l.exited) }()
	for deadline := time.Now().Add(10 * time.Second); !testpeer.UDPPortBound(port); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("ffmpeg not listening on %d: %s", port, l.stderr.String())
		}
	}
	t.Cleanup(l.kill)
	return l
}

// wait waits for ffmpeg to end on its own (the caller closed).
func (l *ffmpegListener) wait(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case <-l.exited:
	case <-time.After(d):
		t.Errorf("ffmpeg listener did not end within %v after the stream closed", d)
		l.kill()
	}
}

func (l *ffmpegListener) kill() {
	select {
	case <-l.exited:
		return
	default:
	}
	_ = l.cmd.Process.Signal(syscall.SIGKILL)
	<-l.exited
}
