package secret

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"testing"
)

func TestMask(t *testing.T) {
	cases := map[string]string{
		"":                         "",
		"abc":                      "****",
		"live_12345678":            "****",
		"live_123456789_abcdefXYZ": "****fXYZ",
	}
	for in, want := range cases {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRedactURL(t *testing.T) {
	cases := []struct{ in, want string }{
		{"rtmp://live.twitch.tv/app/live_123_secret", "rtmp://live.twitch.tv/app/[REDACTED]"},
		{"rtmps://a.rtmps.youtube.com:443/live2/abcd-efgh-ijkl", "rtmps://a.rtmps.youtube.com:443/live2/[REDACTED]"},
		{"rtmp://host/live/room/extra", "rtmp://host/live/[REDACTED]"},
		{"rtmp://host/live", "rtmp://host/live"},
		{"rtmp://host/live/", "rtmp://host/live/"},
		{"rtmp://host/live#sekret", "rtmp://host/live#[REDACTED]"},
		{"rtmp://u:pw@host/live", "rtmp://u:[REDACTED]@host/live"},
		{"srt://host:9000?streamid=abc&latency=200", "srt://host:9000?streamid=[REDACTED]&latency=200"},
		{"https://x/y?token=abc&a=1", "https://x/y?token=[REDACTED]&a=1"},
		{"rtp://127.0.0.1:5004?mode=mpegts", "rtp://127.0.0.1:5004?mode=mpegts"},
		{"rtmp://host/%zz/key", "rtmp://host/" + Redacted},
		{"not a url", Redacted},
	}
	for _, c := range cases {
		if got := RedactURL(c.in); got != c.want {
			t.Errorf("RedactURL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestRedactURLsInText(t *testing.T) {
	in := "dial rtmp://h/app/SEKRET1: refused; also (rtmps://h2/a/SEKRET2)."
	got := RedactURLsInText(in)
	if strings.Contains(got, "SEKRET") {
		t.Fatalf("secret left in %q", got)
	}
	want := "dial rtmp://h/app/[REDACTED]: refused; also (rtmps://h2/a/[REDACTED])."
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestRegistryRedact(t *testing.T) {
	var r Registry
	r.Register("abcdefgh", "abcdefghijkl", "xy", "")
	if r.Len() != 2 {
		t.Fatalf("Len = %d, want 2 (short and empty ignored)", r.Len())
	}
	got := r.Redact("k=abcdefghijkl and abcdefgh, xy")
	if got != "k=[REDACTED] and [REDACTED], xy" {
		t.Fatalf("got %q", got)
	}
	if !r.Contains("zzabcdefghzz") || r.Contains("abcdefg") {
		t.Fatal("Contains wrong")
	}
}

type keyHolder struct{ URL, Key string }

type stringer string

func (s stringer) String() string { return string(s) }

type valuer struct{ key string }

func (v valuer) LogValue() slog.Value { return slog.StringValue("key is " + v.key) }

func TestHandlerRedactsEverything(t *testing.T) {
	const key = "live_987654321_TopSecretKey"
	reg := &Registry{}
	reg.Register(key)
	for _, format := range []string{"text", "json"} {
		var buf bytes.Buffer
		var base slog.Handler = slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})
		if format == "json" {
			base = slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})
		}
		log := slog.New(NewHandler(base, reg))
		wrapped := fmt.Errorf("publish: %w", fmt.Errorf("bad key %s", key))
		log.Info("connecting to rtmp://live.twitch.tv/app/"+key, "url", "rtmp://h/app/unregistered_key_1")
		log.Error("failed", "err", wrapped, "dest", keyHolder{URL: "rtmp://h/app", Key: key})
		log.With("stream_key", "short", "cfg", stringer("k="+key)).WithGroup("g").
			Warn("grouped", slog.Group("inner", "token", "tok-value-1", "msg", key), "v", valuer{key})
		log.Debug("bytes", "raw", []byte("x "+key))
		out := buf.String()
		for _, leak := range []string{key, "unregistered_key_1", "short", "tok-value-1"} {
			if strings.Contains(out, leak) {
				t.Errorf("%s: %q leaked in:\n%s", format, leak, out)
			}
		}
		if n := strings.Count(out, Redacted); n < 8 {
			t.Errorf("%s: only %d redactions in:\n%s", format, n, out)
		}
		if !strings.Contains(out, "rtmp://live.twitch.tv/app/[REDACTED]") {
			t.Errorf("%s: URL host/app not kept:\n%s", format, out)
		}
	}
}

func TestHandlerKeepsCleanValues(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(NewHandler(slog.NewJSONHandler(&buf, nil), &Registry{}))
	log.Info("ok", "n", 42, "name", "Twitch", "key", "", "s", struct{ A int }{7})
	want := `"msg":"ok","n":42,"name":"Twitch","key":"","s":{"A":7}}`
	if !strings.HasSuffix(strings.TrimSpace(buf.String()), want) {
		t.Fatalf("got %s, want suffix %s", buf.String(), want)
	}
}

func TestRedactError(t *testing.T) {
	reg := &Registry{}
	reg.Register("key-abcdef")
	base := fmt.Errorf("open rtmp://h/app/key-abcdef: %w", fs.ErrNotExist)
	err := RedactError(base, reg)
	if strings.Contains(err.Error(), "key-abcdef") {
		t.Fatalf("leak: %v", err)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("chain lost")
	}
	clean := errors.New("clean")
	//nolint:errorlint // the very same value must come back, not one that wraps it
	if RedactError(clean, reg) != clean || RedactError(nil, reg) != nil {
		t.Fatal("clean error should pass through")
	}
}

func TestIsSensitiveName(t *testing.T) {
	for _, n := range []string{"key", "stream_key", "streamKey", "rtmp.key", "Token", "password", "dest_key"} {
		if !IsSensitiveName(n) {
			t.Errorf("%q should be sensitive", n)
		}
	}
	for _, n := range []string{"url", "name", "keyframes", "monkey", "host"} {
		if IsSensitiveName(n) {
			t.Errorf("%q should not be sensitive", n)
		}
	}
}
