package srturl

import (
	"slices"
	"strings"
	"testing"
)

// TestStreamIDSecrets: the password of the access-control and MediaMTX
// forms, or the whole id when it is a bare key, is a secret; the rest of
// the id stays readable.
func TestStreamIDSecrets(t *testing.T) {
	star := func(string) string { return "****" }
	for _, c := range []struct {
		id      string
		secrets []string
		masked  string
	}{
		{"", nil, ""},
		{"#!::r=live/x,u=user,p=pass", []string{"pass"}, "#!::r=live/x,u=user,p=****"},
		{"#!::m=publish,r=cam,u=me,s=mediamtx-pass", []string{"mediamtx-pass"}, "#!::m=publish,r=cam,u=me,s=****"},
		{"#!::r=live/x,m=publish", nil, "#!::r=live/x,m=publish"},
		{"#!::u=a,Password=x1,token=", []string{"x1"}, "#!::u=a,Password=****,token="},
		{"publish:cam", nil, "publish:cam"},
		{"publish:live/cam:user:pa:ss", []string{"pa"}, "publish:live/cam:user:****:ss"},
		{"read:cam:viewer:secret-read", []string{"secret-read"}, "read:cam:viewer:****"},
		{"publish:cam:user:", nil, "publish:cam:user:"},
		{"publish:cam:::jwt=eyJhbGciOi.x.y", []string{"eyJhbGciOi.x.y"}, "publish:cam:::jwt=****"},
		{"read:cam:u:pw:token=tok-123&param=1&key=", []string{"pw", "tok-123"}, "read:cam:u:****:token=****&param=1&key="},
		{"publish:cam:u", nil, "publish:cam:u"},
		{"live_123456789_AbCdEfGhIjK", []string{"live_123456789_AbCdEfGhIjK"}, "****"},
		{"live/stream", []string{"live/stream"}, "****"},
		{"live", nil, "live"},
		{"cam-0001", []string{"cam-0001"}, "****"},
	} {
		if got := StreamIDSecrets(c.id); !slices.Equal(got, c.secrets) {
			t.Errorf("StreamIDSecrets(%q) = %q, want %q", c.id, got, c.secrets)
		}
		if got := MaskStreamID(c.id, star); got != c.masked {
			t.Errorf("MaskStreamID(%q) = %q, want %q", c.id, got, c.masked)
		}
		if got := MaskStreamID(c.id, func(s string) string { return s }); got != c.id {
			t.Errorf("MaskStreamID(%q, identity) = %q: the parts do not give the id back", c.id, got)
		}
	}
}

// TestMaskedURL: the passphrase is left out and the stream id's secret
// masked; a stream id without one renders as String does.
func TestMaskedURL(t *testing.T) {
	mask := func(s string) string { return "****" + s[len(s)-2:] }
	for raw, want := range map[string]string{
		"srt://h:9000?streamid=%23!::r=live/x,u=user,p=pass-42&passphrase=0123456789&latency=200000": "srt://h:9000?streamid=#!::r=live/x,u=user,p=****42&latency=200000",
		"srt://[::1]:9000?streamid=publish:cam:u:topsecret":                                          "srt://[::1]:9000?streamid=publish:cam:u:****et",
		"srt://h:9000?streamid=abcdef-key-99&pbkeylen=32":                                            "srt://h:9000?streamid=****99&pbkeylen=32",
		"srt://h:9000?streamid=publish:cam&passphrase=0123456789":                                    "srt://h:9000?streamid=publish%3Acam",
	} {
		u, err := Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		got := u.Masked(mask)
		if got != want {
			t.Errorf("Masked(%s) = %q, want %q", raw, got, want)
		}
		for _, s := range append(StreamIDSecrets(u.StreamID), u.Passphrase) {
			if s != "" && strings.Contains(got, s) {
				t.Errorf("Masked(%s) = %q shows %q", raw, got, s)
			}
		}
	}
}
