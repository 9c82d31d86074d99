package rtptarget

import (
	"strings"
	"testing"
)

func TestParseConfig(t *testing.T) {
	c, err := Parse("rtp://[::1]:6000?mode=NATIVE&srtp=vlc&mtu=1400&ttl=3&rtcpmux=1&sdp=/tmp/a.sdp&name=tv")
	if err != nil {
		t.Fatal(err)
	}
	want := Config{Name: "tv", Host: "::1", Port: 6000, Mode: ModeNative, MTU: 1400, TTL: 3,
		RTCPMux: true, SRTP: true, SRTPRCC: true, SDPPath: "/tmp/a.sdp"}
	if c != want {
		t.Fatalf("Parse = %+v, want %+v", c, want)
	}
	if c.VLCURL() != "rtp://@[::1]:6000" || c.SDPFile() != "/tmp/a.sdp" || c.Addr() != "[::1]:6000" {
		t.Fatalf("VLCURL %q SDPFile %q Addr %q", c.VLCURL(), c.SDPFile(), c.Addr())
	}
	for _, bad := range []string{"", "h:0", "h:65535", "h:65533?mode=native", "h:1?mtu=1", "h:1?ttl=0",
		"h:1?x=1", "h:1?srtp=maybe", ":5004", "h:1?sdp=", "h:" + strings.Repeat("9", 5000),
		"h:1?mtu=1200&mtu=300", "h:1?mode=native&mode=mpegts"} {
		if _, err := Parse(bad); err == nil || !strings.HasPrefix(err.Error(), "rtp target") {
			t.Errorf("Parse(%.40q) = %v, want an rtp target error", bad, err)
		}
	}
}

// FuzzParse: any input is either refused with an "rtp target" error of
// bounded size or gives a Config that validates.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"127.0.0.1:5004", "[::1]:6000?mode=native&srtp=1", "h:1?mtu=%zz", "rtp://x:99999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "rtp target") || len(err.Error()) > 600 {
				t.Fatalf("error %.200q", err)
			}
			return
		}
		if err := c.Validate(); err != nil || c.Mode == "" {
			t.Fatalf("Parse(%q) = %+v that does not validate: %v", s, c, err)
		}
	})
}
