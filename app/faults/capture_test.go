package faults

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pion/rtcp"

	"golive/app/session"
	"golive/media/testpeer"
	"golive/outputs/dest"
)

// rtcpListener collects the RTCP packets sent to a port.
type rtcpListener struct {
	conn *net.UDPConn
	wg   sync.WaitGroup
	mu   sync.Mutex
	byes int
	srs  int
}

func listenRTCP(t *testing.T, port int) *rtcpListener {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	if err != nil {
		t.Fatalf("rtcp listener: %v", err)
	}
	l := &rtcpListener{conn: c}
	l.wg.Add(1)
	go l.read()
	t.Cleanup(func() { _ = c.Close(); l.wg.Wait() })
	return l
}

func (l *rtcpListener) read() {
	defer l.wg.Done()
	buf := make([]byte, 2048)
	for {
		n, err := l.conn.Read(buf)
		if err != nil {
			return
		}
		pkts, err := rtcp.Unmarshal(buf[:n])
		if err != nil {
			continue
		}
		l.mu.Lock()
		for _, p := range pkts {
			switch p.(type) {
			case *rtcp.Goodbye:
				l.byes++
			case *rtcp.SenderReport:
				l.srs++
			}
		}
		l.mu.Unlock()
	}
}

func (l *rtcpListener) counts() (srs, byes int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.srs, l.byes
}

// killXvfb kills the Xvfb this test process started (a child of ours,
// found by its parent pid: there may be other X servers on the machine).
func killXvfb(t *testing.T) {
	t.Helper()
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", d.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 || !strings.HasPrefix(s[strings.IndexByte(s, '(')+1:], "Xvfb)") {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) > 1 && f[1] == strconv.Itoa(os.Getpid()) {
			if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
				t.Fatalf("kill Xvfb %d: %v", pid, err)
			}
			return
		}
	}
	t.Fatal("no Xvfb child process found")
}

// TestDisplayLostEndsCleanly captures a real X display (Xvfb) to an RTMP
// ingest, an RTP target and a recording, then kills the X server
// mid-stream: `golive live` must end with a clear error and exit code 1,
// after closing every output properly: the recording is finalized and
// decodes, the RTMP stream is unpublished and decoded without error up to
// the end, and the RTP target gets an RTCP BYE.
func TestDisplayLostEndsCleanly(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time session with real peers")
	}
	testpeer.RequireBinaries(t, "nginx", "ffmpeg", "ffprobe", "Xvfb")
	display := testpeer.StartXvfb(t)
	ng := testpeer.StartNginxRTMP(t)
	rtpPort := freeUDPPair(t)
	rtcpIn := listenRTCP(t, rtpPort+1)
	rx := startRTMPReceiver(t, ng, "live", "xkey-D3")
	rec := filepath.Join(t.TempDir(), "display.mkv")
	run := startLive(testCtx(t, 2*time.Minute), t, "--source", "screen", "--display", display, "--audio", "test",
		"--size", "854x480", "--record", rec, "--rtmp", ng.RTMPURL("live", "xkey-D3"),
		"--rtp", "127.0.0.1:"+strconv.Itoa(rtpPort))
	run.waitFor(t, "every output live with 60 frames", 30*time.Second, func(st session.Stats) bool {
		for _, o := range st.Outputs {
			if o.State != dest.StateLive || o.FramesSent < 60 {
				return false
			}
		}
		return true
	})
	killXvfb(t)
	code := run.wait(t, 45*time.Second)
	msg := run.stderr.String()
	last := run.latest()
	t.Logf("exit %d; stderr: %s", code, msg)
	if code != 1 || !strings.Contains(msg, "golive: stream ended:") || !strings.Contains(msg, "screen capture of display") {
		t.Errorf("exit %d with %q: want exit 1 and a clear 'stream ended: ... screen ...' error", code, msg)
	}
	rx.finishRTMP(ng, "live", "xkey-D3")
	if st, err := ng.Stat(); err != nil || st.Stream("live", "xkey-D3") != nil && st.Stream("live", "xkey-D3").Publishing != nil {
		t.Errorf("RTMP stream still published after the display was lost (stat err %v)", err)
	}
	// The last stats line is up to a second old when the engine fails
	// (no final line is printed then): both receivers must hold at least
	// its frames, and the same number, every frame encoded.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := testpeer.Analyze(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	recFrames := a.Count("video")
	if recFrames < int(last.Frames.Encoded) || len(a.Errors) > 0 {
		t.Errorf("recording: %d video frames (%d encoded a second before the end), errors %q",
			recFrames, last.Frames.Encoded, a.Errors)
	}
	if got := rx.Frames(); got+3 < recFrames || got > recFrames || len(rx.Errors()) > 0 {
		t.Errorf("RTMP receiver: %d frames, the recording %d; errors %q", got, recFrames, rx.Errors())
	}
	t.Logf("recording %d frames, RTMP receiver %d frames, encoder %d a second before", recFrames, rx.Frames(), last.Frames.Encoded)
	deadline := time.Now().Add(3 * time.Second)
	for {
		srs, byes := rtcpIn.counts()
		if byes > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("RTP target got %d sender reports and no RTCP BYE", srs)
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
}
