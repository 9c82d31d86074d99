package rtp

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pion/sdp/v3"

	"golive/outputs/rtptarget"
)

func parseSDP(t *testing.T, text string) *sdp.SessionDescription {
	t.Helper()
	var d sdp.SessionDescription
	if err := d.UnmarshalString(text); err != nil {
		t.Fatalf("sdp does not parse: %v\n%s", err, text)
	}
	return &d
}

func TestSDPMPEGTS(t *testing.T) {
	tg := &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: 5004, SDPPath: filepath.Join(t.TempDir(), "ts.sdp")}}
	text, err := tg.SDP(synthTracks())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"c=IN IP4 127.0.0.1", "m=video 5004 RTP/AVP 33", "a=rtpmap:33 MP2T/90000"} {
		if !strings.Contains(text, want+"\r\n") {
			t.Errorf("sdp lacks %q:\n%s", want, text)
		}
	}
	if d := parseSDP(t, text); len(d.MediaDescriptions) != 1 {
		t.Errorf("%d media sections", len(d.MediaDescriptions))
	}
	path, err := tg.WriteSDP(synthTracks())
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != text {
		t.Fatalf("written sdp differs (%v)", err)
	}
	if tg.Detail()["sdp"] != path {
		t.Errorf("Detail does not report the sdp path: %v", tg.Detail())
	}
}

func TestSDPNative(t *testing.T) {
	tg := &Target{Config: rtptarget.Config{Host: "::1", Port: 6000, Mode: ModeNative, SRTP: true, RTCPMux: true}}
	text, err := tg.SDP(synthTracks())
	if err != nil {
		t.Fatal(err)
	}
	d := parseSDP(t, text)
	if d.ConnectionInformation.AddressType != "IP6" || d.ConnectionInformation.Address.Address != "::1" {
		t.Errorf("connection %+v", d.ConnectionInformation)
	}
	if len(d.MediaDescriptions) != 2 {
		t.Fatalf("%d media sections:\n%s", len(d.MediaDescriptions), text)
	}
	v, a := d.MediaDescriptions[0], d.MediaDescriptions[1]
	if v.MediaName.Port.Value != 6000 || strings.Join(v.MediaName.Protos, "/") != "RTP/SAVP" || v.MediaName.Formats[0] != "96" {
		t.Errorf("video m= line %+v", v.MediaName)
	}
	if a.MediaName.Port.Value != 6002 || a.MediaName.Formats[0] != "111" {
		t.Errorf("audio m= line %+v", a.MediaName)
	}
	want := map[string]string{
		"rtpmap": "96 H264/90000",
		"fmtp": "96 packetization-mode=1;profile-level-id=64001f;sprop-parameter-sets=" +
			base64.StdEncoding.EncodeToString(testSPS) + "," + base64.StdEncoding.EncodeToString(testPPS),
	}
	for k, w := range want {
		if got, _ := v.Attribute(k); got != w {
			t.Errorf("video a=%s:%s, want %s", k, got, w)
		}
	}
	if got, _ := a.Attribute("rtpmap"); got != "111 opus/48000/2" {
		t.Errorf("audio rtpmap %q", got)
	}
	for _, m := range d.MediaDescriptions {
		if _, ok := m.Attribute("rtcp-mux"); !ok {
			t.Errorf("%s: no a=rtcp-mux", m.MediaName.Media)
		}
		crypto, _ := m.Attribute("crypto")
		key, ok := strings.CutPrefix(crypto, "1 AES_CM_128_HMAC_SHA1_80 inline:")
		raw, err := base64.StdEncoding.DecodeString(key)
		if !ok || err != nil || len(raw) != 30 {
			t.Errorf("%s: bad a=crypto %q", m.MediaName.Media, crypto)
		}
	}
}

func TestSDPMulticastTTL(t *testing.T) {
	tg := &Target{Config: rtptarget.Config{Host: "239.1.2.3", Port: 5004, TTL: 8}}
	text, err := tg.SDP(synthTracks())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "c=IN IP4 239.1.2.3/8\r\n") {
		t.Errorf("multicast connection line missing:\n%s", text)
	}
}

func TestSDPNeedsParameterSets(t *testing.T) {
	tr := synthTracks()
	tr.Video.SPS = nil
	tg := &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: 5004, Mode: ModeNative}}
	if _, err := tg.SDP(tr); err == nil || !strings.Contains(err.Error(), "SPS/PPS") {
		t.Errorf("err %v, want a missing SPS/PPS error", err)
	}
}

func TestFFmpegSRTPArgs(t *testing.T) {
	tg := &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: 5004, SRTP: true, SDPPath: "/tmp/x.sdp"}}
	args, err := tg.FFmpegSRTPArgs()
	if err != nil {
		t.Fatal(err)
	}
	if want := "-protocol_whitelist file,udp,rtp -i /tmp/x.sdp"; args != want {
		t.Errorf("args %q, want %q", args, want)
	}
	url, suite, params, ok := tg.SRTPParams()
	if !ok || url != "srtp://127.0.0.1:5004" || suite != SRTPSuite || params != tg.srtpInline() {
		t.Errorf("SRTPParams = %q %q %q %v", url, suite, params, ok)
	}
	plain := &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: 5004}}
	if args, _ := plain.FFmpegSRTPArgs(); args != "" {
		t.Errorf("args without srtp: %q", args)
	}
	if _, _, _, ok := plain.SRTPParams(); ok {
		t.Error("SRTPParams without srtp")
	}
}

// TestSDPCarriesSRTPRolloverCounter: while an SRTP session runs, every
// media section names its SSRC (RFC 5576) and its rollover counter
// (a=x-srtp-roc) for receivers that join late; before it runs, and
// without SRTP, neither is there.
func TestSDPCarriesSRTPRolloverCounter(t *testing.T) {
	for _, srtp := range []bool{true, false} {
		tg := &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: 5004, Mode: ModeNative, SRTP: srtp}}
		text, err := tg.SDP(synthTracks())
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(text, "a=ssrc:") || strings.Contains(text, "a=x-srtp-roc") {
			t.Errorf("srtp %v: no session yet, but:\n%s", srtp, text)
		}
		for i, kind := range []string{"video", "audio"} {
			st := tg.stats.stream(kind)
			tg.stats.update(st, func(s *StreamStats) { s.SSRC, s.ROC = uint32(1000+i), uint32(3+i) })
		}
		tg.stats.cname = "golive-1@x"
		text, err = tg.SDP(synthTracks())
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"a=ssrc:1000 cname:golive-1@x\r\na=x-srtp-roc:3\r\n",
			"a=ssrc:1001 cname:golive-1@x\r\na=x-srtp-roc:4\r\n"} {
			if strings.Contains(text, want) != srtp {
				t.Errorf("srtp %v: %q present %v:\n%s", srtp, want, !srtp, text)
			}
		}
		parseSDP(t, text)
	}
}
