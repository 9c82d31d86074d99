package rtp

import (
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/srtp/v3"

	"golive/outputs/rtptarget"
)

// sendRR sends one Receiver Report about ssrc from c to to, encrypted
// with enc when it is not nil.
func sendRR(t *testing.T, c *net.UDPConn, to *net.UDPAddr, r rtcp.ReceptionReport, enc *srtp.Context) {
	t.Helper()
	b, err := (&rtcp.ReceiverReport{SSRC: 0x1234, Reports: []rtcp.ReceptionReport{r}}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if enc != nil {
		if b, err = enc.EncryptRTCP(nil, b, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.WriteToUDP(b, to); err != nil {
		t.Fatal(err)
	}
}

// waitReports waits until the target counts want ignored reports and
// returns the video stream's figures.
func waitIgnored(t *testing.T, tg *Target, want uint64) StreamStats {
	t.Helper()
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if tg.IgnoredReports() >= want {
			break
		}
	}
	if got := tg.IgnoredReports(); got != want {
		t.Fatalf("ignored reports %d, want %d", got, want)
	}
	if d := tg.Detail(); d["ignored_reports"] != want {
		t.Fatalf("detail ignored_reports %v, want %d", d["ignored_reports"], want)
	}
	return tg.Stats()["video"]
}

func waitAccepted(t *testing.T, tg *Target, want uint64) StreamStats {
	t.Helper()
	var st StreamStats
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if st = tg.Stats()["video"]; st.RRReceived >= want {
			break
		}
	}
	if st.RRReceived != want {
		t.Fatalf("receiver reports %d, want %d: %+v", st.RRReceived, want, st)
	}
	return st
}

func listenLoopback(t *testing.T) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestForgedRTCPIgnored: the report of the issue (fraction 0.996, 8 388 607
// lost, 6 h of jitter) sent from another port of the target's host, and
// implausible figures from the right port, change nothing and are counted
// as ignored; a true report from the receiver's port is believed, and a
// port that echoes our Sender Report (GStreamer's own socket) is learned.
func TestForgedRTCPIgnored(t *testing.T) {
	g := listenPorts(t, 4)
	tg := &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: g.base, Mode: ModeNative, SDPPath: filepath.Join(t.TempDir(), "f.sdp")}}
	runTarget(t, tg)
	sr, to := readRTCP[*rtcp.SenderReport](t, g.conns[1], 2*time.Second)
	for sr.PacketCount < 100 {
		sr, to = readRTCP[*rtcp.SenderReport](t, g.conns[1], 2*time.Second)
	}
	forged := rtcp.ReceptionReport{SSRC: sr.SSRC, FractionLost: 255, TotalLost: 0x7fffff,
		Jitter: 6 * 3600 * videoClockRate}
	attacker := listenLoopback(t)
	sendRR(t, attacker, to, forged, nil)
	st := waitIgnored(t, tg, 1)
	if st.RRReceived != 0 || st.FractionLost != 0 || st.TotalLost != 0 || st.JitterMs != 0 {
		t.Fatalf("forged report changed the stats: %+v", st)
	}
	if d := tg.Detail(); d["video"].(map[string]any)["fraction_lost"] != nil {
		t.Fatalf("detail shows figures from a forged report: %v", d["video"])
	}
	// From the right port, implausible figures are ignored one by one.
	sendRR(t, g.conns[1], to, forged, nil)
	sendRR(t, g.conns[1], to, rtcp.ReceptionReport{SSRC: sr.SSRC, TotalLost: sr.PacketCount + 1000}, nil)
	waitIgnored(t, tg, 3)
	// A true report is believed.
	lsr := uint32(sr.NTPTime >> 16)
	sendRR(t, g.conns[1], to, rtcp.ReceptionReport{SSRC: sr.SSRC, FractionLost: 64, TotalLost: 5,
		Jitter: 900, LastSenderReport: lsr}, nil)
	st = waitAccepted(t, tg, 1)
	if st.FractionLost != 0.25 || st.TotalLost != 5 || st.JitterMs != 10 {
		t.Fatalf("true report read as %+v", st)
	}
	// Another port that echoes our Sender Report is learned, and then
	// believed without the echo.
	own := listenLoopback(t)
	sendRR(t, own, to, rtcp.ReceptionReport{SSRC: sr.SSRC, TotalLost: 7, LastSenderReport: lsr}, nil)
	if st = waitAccepted(t, tg, 2); st.TotalLost != 7 {
		t.Fatalf("learned port's report read as %+v", st)
	}
	sendRR(t, own, to, rtcp.ReceptionReport{SSRC: sr.SSRC, TotalLost: 8}, nil)
	if st = waitAccepted(t, tg, 3); st.TotalLost != 8 {
		t.Fatalf("learned port's second report read as %+v", st)
	}
	if got := tg.IgnoredReports(); got != 3 {
		t.Fatalf("ignored reports %d after the true ones, want 3", got)
	}
}

// TestPlainRTCPToSRTPTarget: with srtp=1 a plain (unauthenticated)
// Receiver Report from the receiver's own port is ignored and counted; the
// same report as SRTCP with the SDP's key is believed.
func TestPlainRTCPToSRTPTarget(t *testing.T) {
	g := listenPorts(t, 4)
	tg := &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: g.base, Mode: ModeNative, SRTP: true,
		SDPPath: filepath.Join(t.TempDir(), "s.sdp")}}
	runTarget(t, tg)
	var key []byte
	for end := time.Now().Add(3 * time.Second); key == nil && time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(tg.SDPPath); err == nil {
			key = keyFromSDP(t, tg.SDPPath)
		}
	}
	ctx, err := srtp.CreateContext(key[:16], key[16:], srtp.ProtectionProfileAes128CmHmacSha1_80)
	if err != nil {
		t.Fatal(err)
	}
	// The target's SRTCP arrives encrypted: read its SSRC through the key.
	buf := make([]byte, 2048)
	var ssrc uint32
	var to *net.UDPAddr
	_ = g.conns[1].SetReadDeadline(time.Now().Add(5 * time.Second))
	for ssrc == 0 {
		n, from, err := g.conns[1].ReadFromUDP(buf)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := ctx.DecryptRTCP(nil, buf[:n], nil)
		if err != nil {
			t.Fatalf("srtcp from the target: %v", err)
		}
		pkts, err := rtcp.Unmarshal(plain)
		if err != nil {
			t.Fatal(err)
		}
		if sr, ok := pkts[0].(*rtcp.SenderReport); ok && sr.PacketCount > 0 {
			ssrc, to = sr.SSRC, from
		}
	}
	report := rtcp.ReceptionReport{SSRC: ssrc, FractionLost: 128, TotalLost: 3, Jitter: 90}
	sendRR(t, g.conns[1], to, report, nil)
	if st := waitIgnored(t, tg, 1); st.RRReceived != 0 || st.FractionLost != 0 {
		t.Fatalf("plain report to an SRTP target changed the stats: %+v", st)
	}
	sendRR(t, g.conns[1], to, report, ctx)
	if st := waitAccepted(t, tg, 1); st.FractionLost != 0.5 || st.TotalLost != 3 {
		t.Fatalf("authenticated report read as %+v", st)
	}
	if got := tg.IgnoredReports(); got != 1 {
		t.Fatalf("ignored reports %d, want 1", got)
	}
}

// TestSRTPSDPInRuntimeDir: without sdp=, the SDP holding the SRTP key is
// written 0600 under $XDG_RUNTIME_DIR and removed when the stream ends; an
// sdp= the user gave stays.
func TestSRTPSDPInRuntimeDir(t *testing.T) {
	run := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", run)
	port := freePorts(t, 2)
	// A plain (keyless) SDP an earlier test left in the shared folder for
	// the same port number is no SDP of this target's: only a file
	// created or changed by this run counts.
	shared := DefaultSDPPath("127.0.0.1", port)
	stale, staleErr := os.Stat(shared)
	tg := &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: port, SRTP: true}}
	_, stop := runTarget(t, tg)
	want := filepath.Join(run, "golive", filepath.Base(shared))
	var fi os.FileInfo
	var err error
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if fi, err = os.Stat(want); err == nil {
			break
		}
	}
	if err != nil || tg.SDPPath != want {
		t.Fatalf("SDP at %q (%v), want %q", tg.SDPPath, err, want)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("SDP mode %o, want 0600", fi.Mode().Perm())
	}
	if keyFromSDP(t, want) == nil {
		t.Fatal("no key in the SDP")
	}
	if now, err := os.Stat(shared); err == nil && (staleErr != nil || !now.ModTime().Equal(stale.ModTime()) || now.Size() != stale.Size()) {
		t.Fatal("an SRTP SDP was also written to the shared temporary folder")
	}
	stop()
	if _, err := os.Stat(want); !os.IsNotExist(err) {
		t.Fatalf("SDP with the SRTP key left after the stream: %v", err)
	}

	given := filepath.Join(t.TempDir(), "mine.sdp")
	tg2 := &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: port, SRTP: true, SDPPath: given}}
	_, stop2 := runTarget(t, tg2)
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if _, err = os.Stat(given); err == nil {
			break
		}
	}
	stop2()
	if _, err := os.Stat(given); err != nil {
		t.Fatalf("the sdp= file the user gave was removed: %v", err)
	}
}

// FuzzHandleRTCP feeds hostile datagrams, from the target's RTCP port and
// from another one, to a plain and an SRTP stream: no panic, and any
// figure believed stays within the plausibility limits.
func FuzzHandleRTCP(f *testing.F) {
	rr, _ := (&rtcp.ReceiverReport{SSRC: 1, Reports: []rtcp.ReceptionReport{{SSRC: 7, FractionLost: 255,
		TotalLost: 0x7fffff, Jitter: 0xffffffff, LastSenderReport: 1}}}).Marshal()
	f.Add(rr, true)
	f.Add(rr, false)
	f.Add([]byte{0x80, 0xc9, 0, 1, 0, 0, 0, 1}, true)
	f.Add([]byte{0x81, 0xc8, 0xff, 0xff}, true)
	target := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5005}
	other := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
	key := make([]byte, srtpKeyLen)
	f.Fuzz(func(t *testing.T, b []byte, fromTarget bool) {
		for _, k := range [][]byte{nil, key} {
			var ts targetStats
			s, err := newRTPStream("video", ptH264, videoClockRate, DefaultMTU, k, false, &ts)
			if err != nil {
				t.Fatal(err)
			}
			s.ssrc, s.rtcpAddr = 7, target
			s.packets.Store(100)
			from := other
			if fromTarget {
				from = target
			}
			s.handleRTCP(b, from, time.Now())
			st := ts.streams["video"]
			if st.TotalLost > 100 || st.TotalLost < -100 || st.JitterMs > 10_000 || st.FractionLost > 1 {
				t.Fatalf("implausible figures believed: %+v", st)
			}
		}
	})
}
