package testpeer

import (
	"bufio"
	"context"
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

// StartXvfb starts a virtual X server (1280x720, 24-bit) on a display
// number the server picks itself (-displayfd), and returns the display
// string (":N.0"). The server is stopped by t.Cleanup.
func StartXvfb(t testing.TB) string {
	t.Helper()
	RequireBinaries(t, "Xvfb")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x720x24", "-nolisten", "tcp", "-noreset")
	cmd.ExtraFiles = []*os.File{w}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		w.Close()
		t.Fatalf("start Xvfb: %v", err)
	}
	w.Close()
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case n := <-line:
		if n == "" {
			t.Fatalf("Xvfb did not report a display: %s", stderr.String())
		}
		return ":" + n + ".0"
	case <-time.After(15 * time.Second):
		t.Fatalf("Xvfb not ready after 15 s: %s", stderr.String())
	}
	return ""
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
