package rtp

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golive/outputs/rtptarget"
)

// fakePlayer puts an executable named name on an otherwise empty PATH; it
// records its arguments in a file and exits with code. The tests here
// cover what the real VLC cannot show (native mode's SDP, xdg-open, no
// player, a player that fails at once); app/session's
// TestOpenInVLCReceivesStream runs the real VLC on a live stream.
func fakePlayer(t *testing.T, name string, code int) (argsFile string) {
	t.Helper()
	dir := t.TempDir()
	argsFile = filepath.Join(dir, "args")
	script := "#!/bin/sh\necho \"$@\" > " + argsFile + "\necho 'player says hi' >&2\nexit " + itoa(code) + "\n"
	if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	return argsFile
}

func readArgs(t *testing.T, path string) string {
	t.Helper()
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			return strings.TrimSpace(string(b))
		}
	}
	t.Fatal("player was not started")
	return ""
}

func TestOpenInVLCNativeOpensSDP(t *testing.T) {
	args := fakePlayer(t, "vlc", 0)
	sdpPath := filepath.Join(t.TempDir(), "n.sdp")
	tg := &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: 5004, Mode: ModeNative, SDPPath: sdpPath}}
	if err := OpenInVLC(context.Background(), tg, synthTracks()); err != nil {
		t.Fatal(err)
	}
	if got := readArgs(t, args); got != sdpPath {
		t.Errorf("vlc started with %q, want the sdp %q", got, sdpPath)
	}
	if b, err := os.ReadFile(sdpPath); err != nil || !strings.Contains(string(b), "H264/90000") {
		t.Errorf("sdp not written before starting vlc (%v)", err)
	}
}

func TestOpenInVLCFallsBackToXDGOpen(t *testing.T) {
	args := fakePlayer(t, "xdg-open", 0)
	tg := &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: 5004}}
	if err := OpenInVLC(context.Background(), tg, synthTracks()); err != nil {
		t.Fatal(err)
	}
	if got := readArgs(t, args); got != "rtp://@127.0.0.1:5004" {
		t.Errorf("xdg-open started with %q", got)
	}
}

func TestOpenInVLCMissing(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	err := OpenInVLC(context.Background(), &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: 5004}}, synthTracks())
	if !errors.Is(err, ErrNoPlayer) || !strings.Contains(err.Error(), "VLC is not installed") {
		t.Errorf("err %v, want ErrNoPlayer", err)
	}
}

func TestOpenInVLCReportsEarlyExit(t *testing.T) {
	fakePlayer(t, "vlc", 3)
	err := OpenInVLC(context.Background(), &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: 5004}}, synthTracks())
	if err == nil || !strings.Contains(err.Error(), "player says hi") {
		t.Errorf("err %v, want the player's exit with its output", err)
	}
}

func TestOpenInVLCWithSRTPKey(t *testing.T) {
	args := fakePlayer(t, "vlc", 0)
	tg := &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: 5004, SRTP: true}}
	if err := OpenInVLC(context.Background(), tg, synthTracks()); err != nil {
		t.Fatal(err)
	}
	got := strings.Fields(readArgs(t, args))
	if len(got) != 3 || got[0] != "rtp://@127.0.0.1:5004" || len(got[1]) != len("--srtp-key=")+32 ||
		len(got[2]) != len("--srtp-salt=")+28 {
		t.Errorf("vlc started with %q", got)
	}
}
