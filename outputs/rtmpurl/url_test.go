package rtmpurl

import (
	"errors"
	"strings"
	"testing"
)

func TestParseURLValid(t *testing.T) {
	tests := []struct {
		raw, key                    string
		scheme, host, app, tc, name string
		port                        int
		addr                        string
	}{
		{"rtmp://a.rtmp.youtube.com/live2", "abcd-1234", "rtmp", "a.rtmp.youtube.com", "live2", "rtmp://a.rtmp.youtube.com/live2", "abcd-1234", 1935, "a.rtmp.youtube.com:1935"},
		{"rtmp://a.rtmp.youtube.com/live2/abcd-1234", "", "rtmp", "a.rtmp.youtube.com", "live2", "rtmp://a.rtmp.youtube.com/live2", "abcd-1234", 1935, "a.rtmp.youtube.com:1935"},
		{"rtmps://a.rtmps.youtube.com:443/live2", "k", "rtmps", "a.rtmps.youtube.com", "live2", "rtmps://a.rtmps.youtube.com:443/live2", "k", 443, "a.rtmps.youtube.com:443"},
		{"rtmps://live-api-s.facebook.com/rtmp/", "FB-1-2", "rtmps", "live-api-s.facebook.com", "rtmp", "rtmps://live-api-s.facebook.com/rtmp", "FB-1-2", 443, "live-api-s.facebook.com:443"},
		{"RTMP://127.0.0.1:19350/app/inst/key1", "", "rtmp", "127.0.0.1", "app/inst", "rtmp://127.0.0.1:19350/app/inst", "key1", 19350, "127.0.0.1:19350"},
		{"rtmp://[::1]/live", "key", "rtmp", "::1", "live", "rtmp://[::1]/live", "key", 1935, "[::1]:1935"},
		{"rtmps://[2001:db8::5]:8443/live/key", "", "rtmps", "2001:db8::5", "live", "rtmps://[2001:db8::5]:8443/live", "key", 8443, "[2001:db8::5]:8443"},
		{"rtmp://live.twitch.tv/app/live_1_abc?bandwidthtest=true", "", "rtmp", "live.twitch.tv", "app", "rtmp://live.twitch.tv/app", "live_1_abc?bandwidthtest=true", 1935, "live.twitch.tv:1935"},
		{"rtmp://host/live/secret", "secret", "rtmp", "host", "live", "rtmp://host/live", "secret", 1935, "host:1935"},
		{"  rtmp://host/live  ", "  k  ", "rtmp", "host", "live", "rtmp://host/live", "k", 1935, "host:1935"},
		{"rtmp://host/app?token=1", "k", "rtmp", "host", "app?token=1", "rtmp://host/app?token=1", "k", 1935, "host:1935"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			ep, err := ParseURL(tt.raw, tt.key)
			if err != nil {
				t.Fatalf("ParseURL: %v", err)
			}
			got := [...]any{ep.Scheme, ep.Host, ep.Port, ep.App, ep.TCURL, ep.StreamKey, ep.Addr()}
			want := [...]any{tt.scheme, tt.host, tt.port, tt.app, tt.tc, tt.name, tt.addr}
			if got != want {
				t.Fatalf("got %v, want %v", got, want)
			}
			if s := ep.String(); strings.Contains(s, ep.StreamKey) || !strings.HasSuffix(s, "/****") {
				t.Fatalf("String() does not mask the key: %q", s)
			}
		})
	}
}

func TestParseURLInvalid(t *testing.T) {
	const secret = "SeCrEtKeY"
	tests := []struct{ raw, key, msg string }{
		{"", secret, "server URL is empty"},
		{"   ", secret, "server URL is empty"},
		{"a.rtmp.youtube.com/live2", secret, "missing scheme"},
		{"http://host/live", secret, `unsupported scheme "http"`},
		{"srt://host/live", secret, `unsupported scheme "srt"`},
		{"rtmp://", secret, "missing host"},
		{"rtmp:///live/" + secret, "", "missing host"},
		{"rtmp://host:0/live", secret, `invalid port "0"`},
		{"rtmp://host:70000/live", secret, `invalid port "70000"`},
		{"rtmp://host:abc/live/" + secret, "", "cannot parse the URL (invalid port"},
		{"rtmp://host:/live", secret, "empty port"},
		{"rtmp://::1/live", secret, "IPv6 addresses must be in brackets"},
		{"rtmp://[::1/live", secret, "cannot parse the URL"},
		{"rtmp://[zz::1]/live", secret, "cannot parse the URL (invalid IPv6 address)"},
		{"rtmp://bad_host-/live", secret, "invalid host name"},
		{"rtmp://ho st/live", secret, "spaces or control characters"},
		{"rtmp://user:pw@host/live", secret, "user name or password"},
		{"rtmp://host/live#x", secret, "fragment"},
		{"rtmp://host", secret, "missing application name"},
		{"rtmp://host/", secret, "missing application name"},
		{"rtmp://host/" + secret, secret, "missing application name"},
		{"rtmp://host", "", "missing application name and stream key"},
		{"rtmp://host/live", "", "missing stream key"},
		{"rtmp://host/live/", "", "missing stream key"},
		{"rtmp://host//" + secret, "", "empty path element"},
		{"rtmp://host/live", "a b" + secret, "stream key contains spaces"},
		{"rtmp://host/live", secret + "\x01", "stream key contains spaces or control characters"},
		{"rtmp://host/live", "a/" + secret, "must not contain '/'"},
		{"rtmp://host/live", strings.Repeat("k", 1025), "too long"},
		{"rtmp://host/live/%zz" + secret, "", "invalid % escape"},
		{"rtmp://host/" + secret + "/" + secret, "", "same as the last element of the application"},
		{"rtmp://host/" + secret + "/" + secret, secret, "same as the last element of the application"},
	}
	for _, tt := range tests {
		t.Run(tt.msg, func(t *testing.T) {
			ep, err := ParseURL(tt.raw, tt.key)
			if err == nil {
				t.Fatalf("ParseURL(%q) = %+v, want error", tt.raw, ep)
			}
			if !errors.Is(err, ErrInvalidURL) {
				t.Errorf("error %v is not ErrInvalidURL", err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q, want it to contain %q", err, tt.msg)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "kkkkkkkk") {
				t.Errorf("error leaks the key: %q", err)
			}
		})
	}
}

// FuzzParseURL checks that no input panics, that accepted URLs are
// consistent and that errors never contain the separate key.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"rtmp://h/live/k", "rtmps://[::1]:443/a/b/c?x=1", "rtmp://h:99999/", "rtmp://%zz/", "x"} {
		f.Add(s, "SeCrEtKeY")
	}
	f.Add("rtmp://0/0/0", "")
	f.Fuzz(func(t *testing.T, raw, key string) {
		ep, err := ParseURL(raw, key)
		if err != nil {
			if showsKey(err, raw, key) {
				t.Fatalf("error %q contains the key", err)
			}
			return
		}
		if ep.StreamKey == "" || ep.App == "" || ep.Port < 1 || ep.Host == "" || !strings.HasSuffix(ep.String(), "/****") {
			t.Fatalf("inconsistent endpoint %+v", ep)
		}
		// Profiles keep the tcUrl and the key apart: they read back the same.
		again, err := ParseURL(ep.TCURL, ep.StreamKey)
		if err != nil || *again != *ep {
			t.Fatalf("ParseURL(%q, key) read back as %+v, %v; was %+v", ep.TCURL, again, err, ep)
		}
	})
}

// showsKey reports an error of ParseURL(raw, key) that shows the key
// (of 8 bytes or more, not part of raw). A key that is the message's own
// wording ("contains spaces" in "stream key contains spaces or control
// characters") is no leak: parsed again with the key's letters and digits
// moved on by one (the same length and classes, so the same path), the
// message must show it as often.
func showsKey(err error, raw, key string) bool {
	k := strings.TrimSpace(key)
	if len(k) < 8 || strings.Contains(raw, k) || !strings.Contains(err.Error(), k) {
		return false
	}
	b := []byte(key)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z':
			b[i] = 'a' + (c-'a'+1)%26
		case c >= 'A' && c <= 'Z':
			b[i] = 'A' + (c-'A'+1)%26
		case c >= '0' && c <= '9':
			b[i] = '0' + (c-'0'+1)%10
		}
	}
	other := string(b)
	if other == key {
		return true
	}
	_, err2 := ParseURL(raw, other)
	return err2 == nil || strings.Count(err.Error(), k) > strings.Count(err2.Error(), k)
}

// TestShowsKey: the fuzz oracle reports a key in an error, and not a key
// that is the error's own wording.
func TestShowsKey(t *testing.T) {
	if showsKey(errors.New("rtmp url: stream key contains spaces or control characters"), "rtmp://h/app", "contains spaces") {
		t.Error("a key that is the message's own wording is reported")
	}
	if !showsKey(errors.New(`rtmp url: bad key "my secret key"`), "x", "my secret key") {
		t.Error("a key in the message is not reported")
	}
}

// TestURLKeyEdges: a Unicode key in the path reaches the server as
// written (not percent-encoded), one given apart stays intact, an IDN host
// is dialled and sent in tcUrl as punycode (issue 16).
func TestURLKeyEdges(t *testing.T) {
	tests := []struct {
		raw, key               string
		host, tcURL, streamKey string
	}{
		{"rtmp://host/live/ключ-1", "", "host", "rtmp://host/live", "ключ-1"},
		{"rtmp://host/live/%D0%BA%D0%BB%D1%8E%D1%87", "", "host", "rtmp://host/live", "ключ"},
		{"rtmp://host/live", "ключ#1", "host", "rtmp://host/live", "ключ#1"},
		{"rtmp://host/live/ключ", "ключ", "host", "rtmp://host/live", "ключ"},
		{"rtmp://Пример.РФ/live/k", "", "xn--e1afmkfd.xn--p1ai", "rtmp://xn--e1afmkfd.xn--p1ai/live", "k"},
		{"rtmps://bücher.example:8443/app", "k", "xn--bcher-kva.example", "rtmps://xn--bcher-kva.example:8443/app", "k"},
	}
	for _, tt := range tests {
		ep, err := ParseURL(tt.raw, tt.key)
		if err != nil {
			t.Errorf("ParseURL(%q): %v", tt.raw, err)
			continue
		}
		if ep.Host != tt.host || ep.TCURL != tt.tcURL || ep.StreamKey != tt.streamKey {
			t.Errorf("ParseURL(%q) = host %q tcUrl %q key %q; want %q %q %q", tt.raw, ep.Host, ep.TCURL, ep.StreamKey,
				tt.host, tt.tcURL, tt.streamKey)
		}
	}
	for raw, want := range map[string]string{
		"rtmp://ex\u00adample-\u2028.com/live/k": "",
		"rtmp://a..рф/live/k":                    "invalid host name",
		"rtmp://\u0661\u0662a.рф/live/k":         "invalid international host name",
		"rtmp://host/live/a%2Fb":                 "must not contain '/'",
	} {
		_, err := ParseURL(raw, "")
		if err == nil || (want != "" && !strings.Contains(err.Error(), want)) {
			t.Errorf("ParseURL(%q) = %v, want an error with %q", raw, err, want)
		}
	}
}
