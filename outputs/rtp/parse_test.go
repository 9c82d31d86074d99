package rtp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golive/outputs/rtptarget"
)

func TestParseTarget(t *testing.T) {
	type fields struct {
		Name, Host, Mode, SDPPath string
		Port, MTU, TTL            int
		SRTP, RTCPMux             bool
	}
	cases := []struct {
		in   string
		want fields
	}{
		{"127.0.0.1:5004", fields{Host: "127.0.0.1", Port: 5004, Mode: ModeMPEGTS}},
		{"rtp://127.0.0.1:5004", fields{Host: "127.0.0.1", Port: 5004, Mode: ModeMPEGTS}},
		{"[::1]:6000?mode=native", fields{Host: "::1", Port: 6000, Mode: ModeNative}},
		{"239.1.2.3:5004?ttl=4&mtu=1400", fields{Host: "239.1.2.3", Port: 5004, Mode: ModeMPEGTS, TTL: 4, MTU: 1400}},
		{"host.lan:5004?mode=NATIVE&srtp=1&rtcpmux=true&sdp=/tmp/x.sdp&name=tv",
			fields{Name: "tv", Host: "host.lan", Port: 5004, Mode: ModeNative, SRTP: true, RTCPMux: true, SDPPath: "/tmp/x.sdp"}},
		{"10.0.0.1:5004?srtp=0&rtcpmux=0", fields{Host: "10.0.0.1", Port: 5004, Mode: ModeMPEGTS}},
		{"10.0.0.1:5004?srtp=vlc", fields{Host: "10.0.0.1", Port: 5004, Mode: ModeMPEGTS, SRTP: true}},
	}
	for _, c := range cases {
		got, err := ParseTarget(c.in)
		if err != nil {
			t.Errorf("ParseTarget(%q): %v", c.in, err)
			continue
		}
		g := fields{got.Name, got.Host, got.Mode, got.SDPPath, got.Port, got.MTU, got.TTL, got.SRTP, got.RTCPMux}
		if g != c.want {
			t.Errorf("ParseTarget(%q) = %+v, want %+v", c.in, g, c.want)
		}
	}
}

func TestParseTargetErrors(t *testing.T) {
	cases := map[string]string{
		"":                            "empty",
		"127.0.0.1":                   "HOST:PORT",
		":5004":                       "missing host",
		"127.0.0.1:abc":               "bad port",
		"127.0.0.1:0":                 "port 0 out of range",
		"127.0.0.1:70000":             "out of range",
		"127.0.0.1:65535":             "RTCP needs port+1",
		"127.0.0.1:65534?mode=native": "native mode needs ports up to port+3",
		"::1:5004":                    "IPv6",
		"127.0.0.1:5004?mode=webrtc":  `unknown mode "webrtc"`,
		"127.0.0.1:5004?mtu=100":      "mtu 100 out of range",
		"127.0.0.1:5004?mtu=99999":    "mtu 99999 out of range",
		"127.0.0.1:5004?mtu=big":      `mtu="big" is not a number`,
		"127.0.0.1:5004?ttl=0":        "ttl 0 out of range",
		"127.0.0.1:5004?ttl=300":      "ttl 300 out of range",
		"127.0.0.1:5004?srtp=maybe":   `srtp="maybe"`,
		"127.0.0.1:5004?sdp=":         "sdp= needs a file path",
		"127.0.0.1:5004?foo=1":        `unknown option "foo"`,
		"127.0.0.1:5004?mode=%zz":     "bad options",
	}
	for in, want := range cases {
		_, err := ParseTarget(in)
		if err == nil {
			t.Errorf("ParseTarget(%q): no error, want %q", in, want)
			continue
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("ParseTarget(%q) = %q, want it to contain %q", in, err, want)
		}
	}
}

func TestDefaultSDPPath(t *testing.T) {
	got := DefaultSDPPath("fe80::1%eth0", 5004)
	want := filepath.Join(os.TempDir(), "golive-rtp-fe80--1-eth0-5004.sdp")
	if got != want {
		t.Errorf("DefaultSDPPath = %q, want %q", got, want)
	}
	tg, err := ParseTarget("127.0.0.1:5004")
	if err != nil {
		t.Fatal(err)
	}
	if err := tg.init(); err != nil {
		t.Fatal(err)
	}
	if tg.SDPPath != filepath.Join(os.TempDir(), "golive-rtp-127.0.0.1-5004.sdp") {
		t.Errorf("SDPPath = %q", tg.SDPPath)
	}
	if tg.VLCURL() != "rtp://@127.0.0.1:5004" {
		t.Errorf("VLCURL = %q", tg.VLCURL())
	}
	v6 := &Target{Config: rtptarget.Config{Host: "::1", Port: 5004}}
	if v6.VLCURL() != "rtp://@[::1]:5004" {
		t.Errorf("VLCURL = %q", v6.VLCURL())
	}
}

func TestMTUDefaults(t *testing.T) {
	cases := []struct {
		t          *Target
		mtu, perTS int
	}{
		{&Target{Config: rtptarget.Config{Mode: ModeMPEGTS}}, 1328, 7},
		{&Target{Config: rtptarget.Config{Mode: ModeMPEGTS, SRTP: true}}, 1338, 7},
		{&Target{Config: rtptarget.Config{Mode: ModeMPEGTS, MTU: 1200}}, 1200, 6},
		{&Target{Config: rtptarget.Config{Mode: ModeMPEGTS, MTU: 256}}, 256, 1},
		{&Target{Config: rtptarget.Config{Mode: ModeNative}}, 1200, 6},
	}
	for i, c := range cases {
		if got := c.t.mtu(); got != c.mtu {
			t.Errorf("case %d: mtu %d, want %d", i, got, c.mtu)
		}
		if got := c.t.tsPerPacket(); got != c.perTS {
			t.Errorf("case %d: %d TS packets per RTP packet, want %d", i, got, c.perTS)
		}
	}
	if got := (&Target{Config: rtptarget.Config{Mode: ModeNative, SRTP: true, MTU: 1200}}).maxPayload(); got != 1200-12-10 {
		t.Errorf("native srtp payload %d", got)
	}
}
