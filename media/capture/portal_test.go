//go:build linux

package capture

import (
	"context"
	"errors"
	"image"
	"testing"
	"time"

	"golive/media/testpeer"
)

// meanBGRA is the mean colour of a BGR0/BGRA picture.
func meanBGRA(t *testing.T, vf VideoFrame) (r, g, b float64) {
	t.Helper()
	f := vf.Frame
	size, err := f.ImageBufferSize(1)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, size)
	if _, err := f.ImageCopyToBuffer(buf, 1); err != nil {
		t.Fatal(err)
	}
	n := float64(len(buf) / 4)
	var sr, sg, sb float64
	for i := 0; i+3 < len(buf); i += 4 {
		sb += float64(buf[i])
		sg += float64(buf[i+1])
		sr += float64(buf[i+2])
	}
	return sr / n, sg / n, sb / n
}

// TestPortalScreen captures the headless Wayland desktop through the
// portal: the screen's colour, the cropped region's size, and a steady
// frame rate on a still screen (PipeWire sends one picture, Read repeats).
func TestPortalScreen(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Wayland desktop")
	}
	w := testpeer.StartWayland(t, testpeer.WaylandOptions{})
	w.Setenv(t)
	if !UsesPortal("", func(k string) string { return w.Env[k] }) {
		t.Fatal("the Wayland session is not detected")
	}
	if info, err := PortalInfo(); err != nil {
		t.Fatalf("PortalInfo: %v", err)
	} else {
		t.Log(info)
	}
	src, err := NewScreen(ScreenConfig{FPS: 30, Region: image.Rect(100, 100, 740, 460)})
	if err != nil {
		t.Fatalf("NewScreen: %v", err)
	}
	defer src.Close()
	t.Logf("restore token %q", src.(RestoreTokener).RestoreToken())
	epoch := time.Now()
	if err := src.Start(epoch); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var frames int
	var last time.Time
	for {
		vf, err := src.Read(ctx)
		if errors.Is(err, context.DeadlineExceeded) {
			break
		}
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		if frames == 0 {
			if w, h := vf.Frame.Width(), vf.Frame.Height(); w != 640 || h != 360 {
				t.Fatalf("picture %dx%d, want the 640x360 region", w, h)
			}
			r, g, b := meanBGRA(t, vf)
			if abs(r-200) > 8 || abs(g-40) > 8 || abs(b-120) > 8 {
				t.Fatalf("mean colour (%.0f,%.0f,%.0f), want about (200,40,120)", r, g, b)
			}
		}
		if !vf.Time.After(last) {
			t.Fatalf("frame %d at %v, not after %v", frames, vf.Time, last)
		}
		last = vf.Time
		frames++
	}
	t.Logf("%d frames in 2 s on a still screen; the last picture was on screen %v ago", frames, src.(*portalScreen).pw.age())
	if frames < 57 || frames > 61 {
		t.Fatalf("%d frames in 2 s at 30 fps", frames)
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// TestPortalMissing: without a session bus there is no portal, and the
// message says so (not a hang, not an X11 error).
func TestPortalMissing(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+t.TempDir()+"/no-bus")
	_, err := NewScreen(ScreenConfig{Display: PortalDisplay})
	if !errors.Is(err, ErrPortalMissing) {
		t.Fatalf("NewScreen without a bus: %v, want ErrPortalMissing", err)
	}
	t.Log(err)
}

func TestDetectSession(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"XDG_SESSION_TYPE": "wayland", "DISPLAY": ":0"}, SessionWayland},
		{map[string]string{"XDG_SESSION_TYPE": "x11", "WAYLAND_DISPLAY": "wayland-0"}, SessionX11},
		{map[string]string{"WAYLAND_DISPLAY": "wayland-0"}, SessionWayland},
		{map[string]string{"DISPLAY": ":1"}, SessionX11},
		{map[string]string{}, ""},
	} {
		get := func(k string) string { return c.env[k] }
		if got := DetectSession(get); got != c.want {
			t.Errorf("%v: %q, want %q", c.env, got, c.want)
		}
		if UsesPortal(":0", get) {
			t.Errorf("%v: a named X display must use x11grab", c.env)
		}
		if got := UsesPortal("", get); got != (c.want == SessionWayland) {
			t.Errorf("%v: UsesPortal = %v", c.env, got)
		}
	}
}
