package benchmark

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"golive/media/testpattern"
)

// busyDisplay is an Xvfb screen (1280x720) with a moving picture on it:
// ffplay showing testsrc2 full screen, so that x11grab reads a screen
// that changes every frame, like a game or a video call.
type busyDisplay struct {
	name  string
	xvfb  *exec.Cmd
	play  *exec.Cmd
	xdone chan struct{}
	pdone chan struct{}
}

func startBusyDisplay(dir string) (*busyDisplay, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	d := &busyDisplay{xdone: make(chan struct{}), pdone: make(chan struct{})}
	d.xvfb = exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x720x24", "-nolisten", "tcp", "-noreset")
	d.xvfb.ExtraFiles = []*os.File{w}
	if err := d.xvfb.Start(); err != nil {
		w.Close()
		return nil, fmt.Errorf("start Xvfb: %w", err)
	}
	w.Close()
	go func() { _ = d.xvfb.Wait(); close(d.xdone) }()
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case n := <-line:
		if n == "" {
			d.close()
			return nil, errors.New("xvfb did not report a display")
		}
		d.name = ":" + n + ".0"
	case <-time.After(15 * time.Second):
		d.close()
		return nil, errors.New("xvfb not ready after 15 s")
	}
	d.play = exec.Command("ffplay", "-hide_banner", "-loglevel", "error", "-nostats",
		"-noborder", "-left", "0", "-top", "0", "-x", "1280", "-y", "720", "-an",
		"-f", "lavfi", testpattern.VideoGraph(1280, 720, 30))
	d.play.Env = append(os.Environ(), "DISPLAY="+d.name, "SDL_AUDIODRIVER=dummy")
	d.play.Dir = dir
	if err := d.play.Start(); err != nil {
		d.close()
		return nil, fmt.Errorf("start ffplay: %w", err)
	}
	go func() { _ = d.play.Wait(); close(d.pdone) }()
	time.Sleep(2 * time.Second) // the window maps and starts playing
	select {
	case <-d.pdone:
		d.close()
		return nil, errors.New("ffplay exited at once")
	default:
	}
	return d, nil
}

func (d *busyDisplay) close() {
	if d.play != nil && d.play.Process != nil {
		_ = d.play.Process.Kill()
		<-d.pdone
	}
	if d.xvfb.Process != nil {
		_ = d.xvfb.Process.Kill()
		<-d.xdone
	}
}
