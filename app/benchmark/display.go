package benchmark

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"time"

	"golive/media/testpattern"
	"golive/media/testpeer"
)

// busyDisplay is an Xvfb screen (1280x720) with a moving picture on it:
// ffplay showing testsrc2 full screen, so that x11grab reads a screen
// that changes every frame, like a game or a video call.
type busyDisplay struct {
	name  string
	xvfb  *testpeer.Xvfb
	play  *exec.Cmd
	pdone chan struct{}
}

func startBusyDisplay(dir string) (*busyDisplay, error) {
	x, err := testpeer.LaunchXvfb()
	if err != nil {
		return nil, err
	}
	d := &busyDisplay{name: x.Display, xvfb: x, pdone: make(chan struct{})}
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
	d.xvfb.Close()
}
