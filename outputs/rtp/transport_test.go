package rtp

import (
	"encoding/base64"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"

	"golive/outputs/rtptarget"
)

// keyFromSDP reads the SRTP master key and salt back from the written SDP,
// as a receiver does.
func keyFromSDP(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:")
	if !ok {
		t.Fatalf("no crypto line in\n%s", b)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(strings.SplitN(rest, "\r\n", 2)[0]))
	if err != nil || len(key) != 30 {
		t.Fatalf("bad key %q: %v", rest, err)
	}
	return key
}

func TestSRTPWithRTCPMux(t *testing.T) {
	g := listenPorts(t, 4)
	tg := &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: g.base, Mode: ModeNative, SRTP: true, RTCPMux: true,
		SDPPath: filepath.Join(t.TempDir(), "s.sdp")}}
	_, stop := runTarget(t, tg)
	defer stop()
	conn := g.conns[0]
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	key := func() []byte {
		for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
			if _, err := os.Stat(tg.SDPPath); err == nil {
				return keyFromSDP(t, tg.SDPPath)
			}
		}
		t.Fatal("sdp not written")
		return nil
	}()
	dec, err := srtp.CreateContext(key[:16], key[16:], srtp.ProtectionProfileAes128CmHmacSha1_80)
	if err != nil {
		t.Fatal(err)
	}
	var media, reports int
	var sr *rtcp.SenderReport
	var from *net.UDPAddr
	buf := make([]byte, 2048)
	for media < 50 || sr == nil {
		n, addr, err := conn.ReadFromUDP(buf)
		if err != nil {
			t.Fatalf("after %d media packets and %d reports: %v", media, reports, err)
		}
		if isRTCP(buf[:n]) {
			plain, err := dec.DecryptRTCP(nil, buf[:n], nil)
			if err != nil {
				t.Fatalf("srtcp: %v", err)
			}
			pkts, err := rtcp.Unmarshal(plain)
			if err != nil {
				t.Fatal(err)
			}
			if s, ok := pkts[0].(*rtcp.SenderReport); ok && s.PacketCount > 0 {
				sr, from = s, addr
			}
			reports++
			continue
		}
		if n > DefaultMTU {
			t.Fatalf("srtp packet of %d bytes exceeds the mtu", n)
		}
		plain, err := dec.DecryptRTP(nil, buf[:n], nil)
		if err != nil {
			t.Fatalf("srtp: %v", err)
		}
		var p rtp.Packet
		if err := p.Unmarshal(plain); err != nil || p.PayloadType != ptH264 {
			t.Fatalf("decrypted packet: pt %d, %v", p.PayloadType, err)
		}
		if typ := p.Payload[0] & 0x1f; typ != 1 && typ != 5 && typ != naluTypeSTAPA && typ != naluTypeFUA {
			t.Fatalf("decrypted payload has NAL type %d", typ)
		}
		media++
	}
	// An encrypted receiver report on the muxed port reaches the stats.
	enc, err := srtp.CreateContext(key[:16], key[16:], srtp.ProtectionProfileAes128CmHmacSha1_80)
	if err != nil {
		t.Fatal(err)
	}
	rr, _ := (&rtcp.ReceiverReport{SSRC: 0xabc, Reports: []rtcp.ReceptionReport{{SSRC: sr.SSRC, TotalLost: 3}}}).Marshal()
	if rr, err = enc.EncryptRTCP(nil, rr, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.WriteToUDP(rr, from); err != nil {
		t.Fatal(err)
	}
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if st := tg.Stats()["video"]; st.RRReceived == 1 && st.TotalLost == 3 {
			return
		}
	}
	t.Fatalf("receiver report not applied: %+v", tg.Stats())
}

func TestIPv6Unicast(t *testing.T) {
	l, err := net.ListenUDP("udp6", &net.UDPAddr{IP: net.IPv6loopback})
	if err != nil {
		t.Fatalf("no IPv6 loopback: %v", err)
	}
	defer l.Close()
	port := l.LocalAddr().(*net.UDPAddr).Port // RTP takes odd ports too
	tg, err := ParseTarget("[::1]:" + itoa(port) + "?mode=native&sdp=" + filepath.Join(t.TempDir(), "v6.sdp"))
	if err != nil {
		t.Fatal(err)
	}
	runTarget(t, tg)
	checkSequence(t, "video over IPv6", readRTP(t, l, time.Second), ptH264)
}

func TestMulticastTTL(t *testing.T) {
	group := net.IPv4(239, 255, 42, 99)
	port := freePorts(t, 2)
	l, err := net.ListenMulticastUDP("udp4", nil, &net.UDPAddr{IP: group, Port: port})
	if err != nil {
		t.Fatalf("join %s: %v", group, err)
	}
	defer l.Close()
	tg := &Target{Config: rtptarget.Config{Host: group.String(), Port: port, TTL: 3, SDPPath: filepath.Join(t.TempDir(), "mc.sdp")}}
	runTarget(t, tg)
	// The local host gets its own multicast (IP_MULTICAST_LOOP is on).
	checkSequence(t, "mpegts multicast", readRTP(t, l, time.Second), ptMP2T)

	c, err := dialUDP(&net.UDPAddr{IP: group, Port: port}, nil, 7)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	raw, _ := c.SyscallConn()
	var ttl int
	_ = raw.Control(func(fd uintptr) {
		ttl, err = syscall.GetsockoptInt(int(fd), syscall.IPPROTO_IP, syscall.IP_MULTICAST_TTL)
	})
	if err != nil || ttl != 7 {
		t.Errorf("multicast ttl %d (%v), want 7", ttl, err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestSRTPForVLCStartsLowSequence(t *testing.T) {
	key, err := newSRTPKey()
	if err != nil {
		t.Fatal(err)
	}
	var ts targetStats
	for range 100 {
		st, err := newRTPStream("mpegts", ptMP2T, videoClockRate, 1338, key, true, &ts)
		if err != nil {
			t.Fatal(err)
		}
		if st.hdr.SequenceNumber >= 0x4000 {
			t.Fatalf("initial sequence %#x: VLC would take it for a replay", st.hdr.SequenceNumber)
		}
	}
}
