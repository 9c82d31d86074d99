package faults

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golive/app/session"
	"golive/media/testpeer"
)

// procSocket is one socket of this process as /proc/net lists it.
type procSocket struct {
	proto, local, remote, state string
}

// ownSockets maps the inode of every socket this process holds to its
// /proc/net entry.
func ownSockets(t *testing.T) map[string]procSocket {
	t.Helper()
	inodes := map[string]bool{}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		l, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.HasPrefix(l, "socket:[") {
			inodes[strings.TrimSuffix(strings.TrimPrefix(l, "socket:["), "]")] = true
		}
	}
	out := map[string]procSocket{}
	for _, proto := range []string{"tcp", "tcp6", "udp", "udp6"} {
		b, err := os.ReadFile("/proc/self/net/" + proto)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) > 9 && inodes[f[9]] {
				out[f[9]] = procSocket{proto: proto, local: f[1], remote: f[2], state: f[3]}
			}
		}
	}
	return out
}

// wildcard reports whether a /proc/net address (hex IP:port) is bound to
// every interface.
func wildcard(addr string) bool {
	ip, _, _ := strings.Cut(addr, ":")
	return strings.Trim(ip, "0") == ""
}

// TestListensOnNoPort: while live to RTMP, RTP and a recording, the app
// holds no listening TCP socket, and every UDP socket is either connected
// to its target (RTP) or bound to one local address (the RTCP socket,
// which only takes reports from its target's address: tested in
// outputs/rtp).
func TestListensOnNoPort(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time session")
	}
	ng := testpeer.StartNginxRTMP(t)
	rtpPort := freeUDPPair(t)
	before := ownSockets(t)
	run := startLive(testCtx(t, time.Minute), t, "--source", "test", "--audio", "test", "--size", "640x360",
		"--duration", "6s", "--record", filepath.Join(t.TempDir(), "s.mkv"),
		"--rtmp", ng.RTMPURL("live", "sockkey"), "--rtp", "127.0.0.1:"+strconv.Itoa(rtpPort))
	run.waitFor(t, "every output live", 20*time.Second, func(st session.Stats) bool {
		for _, o := range st.Outputs {
			if o.State != "live" || o.FramesSent < 30 {
				return false
			}
		}
		return true
	})
	udp := 0
	for inode, s := range ownSockets(t) {
		if _, old := before[inode]; old {
			continue
		}
		switch {
		case strings.HasPrefix(s.proto, "tcp") && s.state == "0A":
			t.Errorf("listening TCP socket %s", s.local)
		case strings.HasPrefix(s.proto, "udp"):
			udp++
			if strings.HasSuffix(s.remote, ":0000") && wildcard(s.local) {
				t.Errorf("UDP socket %s open to every address and sender", s.local)
			}
		}
	}
	if udp < 2 {
		t.Errorf("found %d UDP sockets of the RTP target, want RTP and RTCP", udp)
	}
	if code := run.wait(t, 30*time.Second); code != 0 {
		t.Errorf("exit %d: %s", code, run.stderr.String())
	}
}
