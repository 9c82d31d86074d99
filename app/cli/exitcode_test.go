package cli

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"golive/app/profile"
	"golive/media/capture"
)

// TestPortalExitCodes: a portal that refused, a picker the user cancelled
// and PipeWire missing each end `golive live` with their own exit code and
// one line that names the cause.
func TestPortalExitCodes(t *testing.T) {
	for _, c := range []struct {
		err  error
		code int
		says string
	}{
		{fmt.Errorf("screen: %w: choose a screen and press Share to go live", capture.ErrPortalCancelled), ExitPortalCancelled, "cancelled"},
		{fmt.Errorf("screen: %w (response code 2)", capture.ErrPortalRefused), ExitPortalRefused, "refused"},
		{fmt.Errorf("screen: %w: libpipewire-0.3.so.0: cannot open shared object file", capture.ErrPipeWireMissing), ExitFailure, "PipeWire is not available"},
		{errors.New("something else"), ExitFailure, "something else"},
	} {
		var stderr bytes.Buffer
		if got := exitCode(c.err, &stderr); got != c.code || !strings.Contains(stderr.String(), c.says) ||
			strings.Count(stderr.String(), "\n") != 1 {
			t.Errorf("%v: exit code %d, said %q; want %d and %q on one line", c.err, got, stderr.String(), c.code, c.says)
		}
	}
}

// TestProfileUsageNamesRenditionFields: `golive profile`'s help names
// every per-destination video field issue 18 fixes (dest.NAME.size, fps,
// video_bitrate, codec, encoder, preset, layout, adaptive, fallback).
func TestProfileUsageNamesRenditionFields(t *testing.T) {
	i := strings.Index(profileUsage, "A destination's own video")
	if i < 0 {
		t.Fatalf("profile usage says nothing of a destination's own video:\n%s", profileUsage)
	}
	for _, f := range profile.VideoFields {
		if !strings.Contains(profileUsage[i:], f) {
			t.Errorf("profile usage lacks the rendition field %q", f)
		}
	}
}

// TestDevicesListsThePortalScreen (issue 22): on a Wayland session
// `golive devices` lists "screen (portal)" with the session and where the
// capture comes from, here why it is unavailable (no session bus).
func TestDevicesListsThePortalScreen(t *testing.T) {
	t.Setenv("XDG_SESSION_TYPE", "wayland")
	t.Setenv("WAYLAND_DISPLAY", "wayland-9")
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+t.TempDir()+"/no-bus")
	var out bytes.Buffer
	listScreens(&out)
	got := out.String()
	if !strings.HasPrefix(got, "  screen (portal): Wayland session wayland-9,") ||
		!strings.Contains(got, "unavailable: no desktop portal for screen capture") || strings.Count(got, "\n") != 1 {
		t.Fatalf("golive devices on Wayland without a portal lists:\n%s", got)
	}
}
