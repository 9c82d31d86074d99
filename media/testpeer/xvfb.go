package testpeer

import (
	"bufio"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Xvfb is a virtual X server started by LaunchXvfb.
type Xvfb struct {
	// Display is ":N.0".
	Display string
	cmd     *exec.Cmd
	exited  chan struct{}
	stderr  LockedBuffer
}

// LaunchXvfb starts a virtual X server (1280x720, 24-bit) on a display
// number the server picks itself (-displayfd) and waits until it is
// ready. Close stops it.
func LaunchXvfb() (*Xvfb, error) { return LaunchXvfbSize("1280x720x24") }

// LaunchXvfbSize is LaunchXvfb with another screen, "WxHxDepth".
func LaunchXvfbSize(screen string) (*Xvfb, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	x := &Xvfb{exited: make(chan struct{})}
	x.cmd = exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", screen, "-nolisten", "tcp", "-noreset")
	x.cmd.ExtraFiles = []*os.File{w}
	diesWithUs(x.cmd)
	x.cmd.Stderr = &x.stderr
	if err := x.cmd.Start(); err != nil {
		w.Close()
		return nil, fmt.Errorf("start Xvfb: %w", err)
	}
	w.Close()
	go func() { _ = x.cmd.Wait(); close(x.exited) }()
	line := make(chan string, 1)
	// Ends when Xvfb writes its display number or exits (EOF).
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case n := <-line:
		if n == "" {
			x.Close()
			return nil, fmt.Errorf("xvfb did not report a display: %s", x.stderr.String())
		}
		x.Display = ":" + n + ".0"
		return x, nil
	case <-time.After(15 * time.Second):
		x.Close()
		return nil, fmt.Errorf("xvfb not ready after 15 s: %s", x.stderr.String())
	}
}

// Close stops the server and waits for it.
func (x *Xvfb) Close() {
	_ = x.cmd.Process.Kill()
	<-x.exited
}

// StartXvfb starts a virtual X server (LaunchXvfb) for the test and
// returns its display (":N.0"); it is stopped when the test ends.
func StartXvfb(t testing.TB) string { return StartXvfbSize(t, "1280x720x24") }

// StartXvfbSize is StartXvfb with another screen, "WxHxDepth".
func StartXvfbSize(t testing.TB, screen string) string {
	t.Helper()
	RequireBinaries(t, "Xvfb")
	x, err := LaunchXvfbSize(screen)
	return started(t, x, err).Display
}

// ShowImage paints img on the root window of display with ImageMagick's
// `display -window root` (unlike xsetroot, this shows up in x11grab).
func ShowImage(t testing.TB, display string, img image.Image) {
	t.Helper()
	RequireBinaries(t, "display")
	path := filepath.Join(t.TempDir(), "root.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// display exits with status 1 even when it painted the root window;
	// a real failure prints a message.
	out, err := exec.CommandContext(ctx, "display", "-display", display, "-window", "root", path).CombinedOutput()
	if err != nil && (len(strings.TrimSpace(string(out))) > 0 || ctx.Err() != nil) {
		t.Fatalf("display -window root on %s: %v: %s", display, err, out)
	}
}

// SolidImage returns a w x h picture of one colour.
func SolidImage(w, h int, c color.Color) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(c), image.Point{}, draw.Src)
	return img
}
