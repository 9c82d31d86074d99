package testpeer

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// MediaMTX is a MediaMTX server (../shared/peers/mediamtx.sh) started for
// one test on loopback: RTSP (TCP) for read-back, RTMP, SRT and WebRTC
// (WHIP) ingest, everything else off.
type MediaMTX struct {
	Dir      string
	RTSPPort int
	RTMPPort int
	SRTPort  int
	HTTPPort int // WebRTC/WHIP HTTP
	UDPPort  int // WebRTC ICE UDP
	// RecordDir holds MediaMTX's fMP4 recordings (StartMediaMTXRecording).
	RecordDir string
	// RTMPSPort and CAFile: RTMPS ingest (StartMediaMTXRecording), its
	// certificate signed by the CA in CAFile.
	RTMPSPort int
	CAFile    string
	// Log holds MediaMTX's output.
	Log *LockedBuffer

	cmd    *exec.Cmd
	exited chan struct{}
}

// MediaMTXUser is one entry of authInternalUsers.
type MediaMTXUser struct {
	User, Pass string
	// Actions are MediaMTX permissions: publish, read, ...
	Actions []string
}

// MediaMTXBinary builds MediaMTX once (cached in ~/.cache/golive-peers)
// and returns its path. The script sits in ../shared/peers from the
// repository root.
func MediaMTXBinary(t testing.TB) string {
	t.Helper()
	RequireBinaries(t, "bash")
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	script := filepath.Join(root, "..", "shared", "peers", "mediamtx.sh")
	out, err := exec.Command("bash", script).Output()
	if err != nil {
		t.Fatalf("building MediaMTX with %s: %v", script, err)
	}
	return strings.TrimSpace(string(out))
}

// StartMediaMTX writes a loopback-only configuration with free ports and
// the given users (none: anyone may publish and read), starts MediaMTX and
// waits until its TCP ports accept connections. It stops with the test.
func StartMediaMTX(t testing.TB, users ...MediaMTXUser) *MediaMTX {
	t.Helper()
	return startMediaMTX(t, false, users)
}

// StartMediaMTXRecording is StartMediaMTX with every path recorded by
// MediaMTX itself as fragmented MP4 under RecordDir (one folder per path),
// and RTMPS ingest beside RTMP (RTMPSURL, CAFile).
func StartMediaMTXRecording(t testing.TB) *MediaMTX {
	t.Helper()
	return startMediaMTX(t, true, nil)
}

func startMediaMTX(t testing.TB, record bool, users []MediaMTXUser) *MediaMTX {
	t.Helper()
	bin := MediaMTXBinary(t)
	m := &MediaMTX{Dir: t.TempDir(), Log: &LockedBuffer{}}
	if record {
		m.RecordDir = filepath.Join(m.Dir, "recordings")
		m.RTMPSPort = FreePort(t)
		var err error
		if m.CAFile, _, err = writeTestCerts(m.Dir); err != nil {
			t.Fatalf("MediaMTX certificates: %v", err)
		}
	}
	m.RTSPPort, m.HTTPPort, m.RTMPPort = FreePort(t), FreePort(t), FreePort(t)
	m.SRTPort, m.UDPPort = FreeUDPPort(t), FreeUDPPort(t)
	cfg := filepath.Join(m.Dir, "mediamtx.yml")
	if err := os.WriteFile(cfg, []byte(m.config(users)), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, cfg)
	diesWithUs(cmd)
	cmd.Dir = m.Dir
	cmd.Stdout, cmd.Stderr = m.Log, m.Log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start MediaMTX: %v", err)
	}
	m.cmd, m.exited = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); close(m.exited) }()
	t.Cleanup(m.Stop)
	deadline := time.Now().Add(15 * time.Second)
	ports := []int{m.RTSPPort, m.HTTPPort, m.RTMPPort}
	if m.RTMPSPort != 0 {
		ports = append(ports, m.RTMPSPort)
	}
	for _, port := range ports {
		for !canConnect(port) {
			select {
			case <-m.exited:
				t.Fatalf("MediaMTX exited: %s", m.Log.String())
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("MediaMTX did not listen on %d: %s", port, m.Log.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return m
}

func (m *MediaMTX) config(users []MediaMTXUser) string {
	var b strings.Builder
	fmt.Fprintf(&b, `logLevel: debug
logDestinations: [stdout]
api: false
metrics: false
pprof: false
playback: false
hls: false
moq: false
rtmp: true
rtmpAddress: 127.0.0.1:%d
rtsp: true
rtspTransports: [tcp]
rtspAddress: 127.0.0.1:%d
webrtc: true
webrtcAddress: 127.0.0.1:%d
webrtcLocalUDPAddress: 127.0.0.1:%d
webrtcLocalTCPAddress: ""
webrtcIPsFromInterfaces: false
webrtcAdditionalHosts: [127.0.0.1]
srt: true
srtAddress: 127.0.0.1:%d
paths:
  all_others:
`, m.RTMPPort, m.RTSPPort, m.HTTPPort, m.UDPPort, m.SRTPort)
	if m.RecordDir != "" {
		fmt.Fprintf(&b, `    record: yes
    recordPath: %s/%%path/%%Y-%%m-%%d_%%H-%%M-%%S-%%f
    recordFormat: fmp4
    recordPartDuration: 200ms
`, m.RecordDir)
	}
	if m.RTMPSPort != 0 {
		fmt.Fprintf(&b, "rtmpEncryption: optional\nrtmpsAddress: 127.0.0.1:%d\nrtmpServerKey: %s\nrtmpServerCert: %s\n",
			m.RTMPSPort, filepath.Join(m.Dir, "server.key"), filepath.Join(m.Dir, "server.crt"))
	}
	if len(users) > 0 {
		b.WriteString("authInternalUsers:\n")
		for _, u := range users {
			fmt.Fprintf(&b, "  - user: %s\n    pass: %s\n    ips: []\n    permissions:\n", u.User, u.Pass)
			for _, a := range u.Actions {
				fmt.Fprintf(&b, "      - action: %s\n        path:\n", a)
			}
		}
	}
	return b.String()
}

// RTMPURL is the RTMP publish URL of an application (the key is the
// rest of the path).
func (m *MediaMTX) RTMPURL(app string) string {
	return fmt.Sprintf("rtmp://127.0.0.1:%d/%s", m.RTMPPort, app)
}

// RTMPSURL is the RTMPS publish URL of an application (StartMediaMTXRecording).
func (m *MediaMTX) RTMPSURL(app string) string {
	return fmt.Sprintf("rtmps://localhost:%d/%s", m.RTMPSPort, app)
}

// RTSPURL is where a path is read back.
func (m *MediaMTX) RTSPURL(path string) string {
	return fmt.Sprintf("rtsp://127.0.0.1:%d/%s", m.RTSPPort, path)
}

// WHIPURL is the WHIP endpoint of a path.
func (m *MediaMTX) WHIPURL(path string) string {
	return fmt.Sprintf("http://127.0.0.1:%d/%s/whip", m.HTTPPort, path)
}

// SRTURL is the SRT publish URL of a path.
func (m *MediaMTX) SRTURL(path string) string {
	return fmt.Sprintf("srt://127.0.0.1:%d?streamid=publish:%s", m.SRTPort, path)
}

// WaitLog waits until MediaMTX's log contains s.
func (m *MediaMTX) WaitLog(s string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if strings.Contains(m.Log.String(), s) {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

// Stop terminates MediaMTX and waits for it.
func (m *MediaMTX) Stop() {
	if m.cmd == nil {
		return
	}
	StopProcess(m.cmd.Process, m.exited, syscall.SIGTERM, 5*time.Second)
	m.cmd = nil
}

// FreeUDPPort returns a UDP port that is free on 127.0.0.1 right now
// (PickPort: outside the kernel's ephemeral range).
func FreeUDPPort(t testing.TB) int {
	t.Helper()
	p, err := PickPort("udp", 1, false)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
