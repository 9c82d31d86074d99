package session

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"golive/media/testpeer"
)

// TestOpenInVLCReceivesStream: "Open in VLC" (Session.OpenInVLC, the
// window's path) starts the real VLC on a live RTP destination, and VLC
// receives the stream: what it got, written by VLC itself (a vlcrc with
// a sout chain in its HOME), decodes as the H.264 and AAC we sent. VLC
// refuses to run as root, so as root the session runs as user nobody.
func TestOpenInVLCReceivesStream(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time encode and VLC")
	}
	if testpeer.ChildRole() == "vlc-session" {
		openInVLCChild(t)
		return
	}
	testpeer.RequireBinaries(t, "vlc", "ffprobe")
	dir, err := os.MkdirTemp("", "golive-vlc-session-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	received := filepath.Join(dir, "received.ts")
	conf := filepath.Join(dir, ".config", "vlc")
	if err := os.MkdirAll(conf, 0o777); err != nil {
		t.Fatal(err)
	}
	vlcrc := fmt.Sprintf("[core]\nintf=dummy\nsout=#std{access=file,mux=ts,dst=%s}\n", received)
	if err := os.WriteFile(filepath.Join(conf, "vlcrc"), []byte(vlcrc), 0o666); err != nil {
		t.Fatal(err)
	}
	c := testpeer.Child{Role: "vlc-session", Run: t.Name(), Args: []string{strconv.Itoa(freeUDPPort(t))},
		Env: []string{"HOME=" + dir, "DISPLAY=", "DBUS_SESSION_BUS_ADDRESS=disabled:"}}
	if os.Geteuid() == 0 {
		if c.Exe, err = testpeer.CopyTestBinary(dir); err != nil {
			t.Fatal(err)
		}
		// runuser sets HOME to nobody's own: give it ours again.
		c.Wrapper = []string{"runuser", "-u", "nobody", "--", "env", "HOME=" + dir}
		for _, d := range []string{dir, filepath.Join(dir, ".config"), conf} {
			if err := os.Chmod(d, 0o777); err != nil {
				t.Fatal(err)
			}
		}
	}
	cmd := c.Command()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("session child: %v\n%s", err, out)
	}
	a, err := testpeer.Analyze(context.Background(), received)
	if err != nil {
		t.Fatalf("what VLC received: %v\n%s", err, out)
	}
	v, au := a.Stream("video"), a.Stream("audio")
	if v == nil || v.CodecName != "h264" || v.Width != 1280 || v.Height != 720 || au == nil || au.CodecName != "aac" {
		t.Fatalf("VLC received streams %+v", a.Streams)
	}
	// About 6 s were sent after VLC started; it joins at the next key
	// frame (2 s GOP).
	if n := a.Count("video"); n < 90 {
		t.Fatalf("VLC received %d video frames, want 90 or more (errors %q)", n, a.Errors)
	}
	t.Logf("VLC received %d video and %d audio frames (%d decode notes)", a.Count("video"), a.Count("audio"), len(a.Errors))
}

// openInVLCChild goes live on the test source to the default profile's
// RTP preview (on the port the parent chose), opens it in VLC as the
// window does, streams 6 s more and ends; VLC ends with the stream.
func openInVLCChild(t *testing.T) {
	port, err := strconv.Atoi(testpeer.ChildArgs()[0])
	if err != nil {
		t.Fatal(err)
	}
	p := testSourceProfile()
	p.Destinations[0].RTP.Port = port
	p.Destinations[0].RTP.SDPPath = filepath.Join(os.Getenv("HOME"), "preview.sdp")
	cfg, err := FromProfile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := &Session{Config: cfg}
	if err := s.Initialize(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	name := p.Destinations[0].Name
	hints := s.PlayerHints() // what `golive live` prints
	if len(hints) != 1 || hints[0].Err != nil || hints[0].Name != name ||
		hints[0].Input != "rtp://@127.0.0.1:"+strconv.Itoa(port) || hints[0].SDPPath != p.Destinations[0].RTP.SDPPath {
		t.Fatalf("player hints %+v", hints)
	}
	if err := s.OpenInVLC(ctx, name); err != nil {
		t.Fatalf("OpenInVLC: %v", err)
	}
	start := s.Stats().Frames.Encoded
	for deadline := time.Now().Add(30 * time.Second); s.Stats().Frames.Encoded < start+180; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("180 frames not encoded within 30 s: %+v", s.Stats())
		}
	}
}

// freeUDPPort returns an even UDP port whose next port (RTCP) is free too.
func freeUDPPort(t *testing.T) int {
	t.Helper()
	for range 20 {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := c.LocalAddr().(*net.UDPAddr).Port
		c.Close()
		if port%2 == 0 && port < 65534 {
			return port
		}
	}
	t.Fatal("no free even UDP port")
	return 0
}
