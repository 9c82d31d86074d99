package rtmp

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golive/media/testpeer"
	"golive/outputs/dest"
)

// mediaMTX is a MediaMTX server on loopback: RTMP ingest, RTSP read-back.
type mediaMTX struct {
	rtmpPort, rtspPort int
	mu                 sync.Mutex
	log                bytes.Buffer
}

func (m *mediaMTX) Write(b []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.log.Write(b)
}

func (m *mediaMTX) logText() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.log.String()
}

// mediaMTXBinary builds (once, cached in ~/.cache/golive-peers) or finds
// MediaMTX with the repository's ../shared/peers/mediamtx.sh.
func mediaMTXBinary(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(root, "..", "shared", "peers", "mediamtx.sh")
	if _, err := os.Stat(script); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("MediaMTX build script: %v", err)
		}
		t.Skipf("MediaMTX build script: %v", err)
	}
	out, err := exec.Command("bash", script).Output()
	if err != nil {
		t.Fatalf("building MediaMTX: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// startMediaMTX runs MediaMTX with only RTMP and RTSP (TCP) on free
// loopback ports; it is stopped when the test ends.
func startMediaMTX(t *testing.T) *mediaMTX {
	t.Helper()
	bin := mediaMTXBinary(t)
	m := &mediaMTX{rtmpPort: testpeer.FreePort(t), rtspPort: testpeer.FreePort(t)}
	conf := fmt.Sprintf(`logLevel: info
api: false
metrics: false
pprof: false
playback: false
hls: false
webrtc: false
srt: false
moq: false
rtsp: true
rtspTransports: [tcp]
rtspAddress: 127.0.0.1:%d
rtmp: true
rtmpAddress: 127.0.0.1:%d
paths:
  all_others:
`, m.rtspPort, m.rtmpPort)
	path := filepath.Join(t.TempDir(), "mediamtx.yml")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, path)
	cmd.Stdout, cmd.Stderr = m, m
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
		if t.Failed() {
			t.Logf("mediamtx log:\n%s", m.logText())
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(m.logText(), "[RTMP] started") {
		if time.Now().After(deadline) {
			t.Fatalf("mediamtx did not start:\n%s", m.logText())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return m
}

// TestLipSyncAtMediaMTX publishes the test source (a flash and a beep at
// the same instant once a second) to MediaMTX, a server that stamps media
// by arrival, and reads it back over RTSP with ffmpeg: the beep-minus-
// flash median must be within 20 ms (issue 16: audio was 60-65 ms late).
func TestLipSyncAtMediaMTX(t *testing.T) {
	testpeer.RequireBinaries(t, "ffmpeg")
	s := startEngine(t)
	mtx := startMediaMTX(t)
	h := startHandler(t, "mediamtx", s, &Publisher{URL: fmt.Sprintf("rtmp://127.0.0.1:%d/live", mtx.rtmpPort), Key: "sync"})
	waitState(t, h, dest.StateLive, 15*time.Second)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(mtx.logText(), "is publishing to path") {
		if time.Now().After(deadline) {
			t.Fatal("mediamtx did not see the publish")
		}
		time.Sleep(50 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	url := fmt.Sprintf("rtsp://127.0.0.1:%d/live/sync", mtx.rtspPort)
	rep, err := testpeer.AVSync(ctx, url, []string{"-rtsp_transport", "tcp", "-t", "8"}, 0)
	if err != nil {
		t.Fatalf("reading back %s: %v", url, err)
	}
	offs := slices.Clone(rep.Offsets)
	slices.Sort(offs)
	median := offs[len(offs)/2]
	t.Logf("beep - flash over %d markers: median %v, all %v", len(offs), median, rep.Offsets)
	if len(offs) < 4 {
		t.Fatalf("only %d flash/beep pairs in 8 s", len(offs))
	}
	if median.Abs() > 20*time.Millisecond {
		t.Errorf("a/v offset median %v at an arrival-stamping server, want within ±20ms", median)
	}
}
