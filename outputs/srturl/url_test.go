package srturl

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	u, err := Parse("srt://ingest.example.com:9000?streamid=publish:live/cam&passphrase=0123456789ab&latency=200000&pbkeylen=32&mode=caller")
	if err != nil {
		t.Fatal(err)
	}
	want := URL{Host: "ingest.example.com", Port: 9000, StreamID: "publish:live/cam", Passphrase: "0123456789ab",
		Latency: 200 * time.Millisecond, KeyLength: 32}
	if u != want {
		t.Fatalf("got %+v, want %+v", u, want)
	}
	if s := u.String(); strings.Contains(s, "0123456789ab") || !strings.Contains(s, "streamid=publish%3Alive%2Fcam") {
		t.Fatalf("String() = %q: want the stream id and no passphrase", s)
	}
	if u6, err := Parse("srt://[::1]:9000"); err != nil || u6.Host != "::1" {
		t.Fatalf("IPv6: %+v %v", u6, err)
	}
}

func TestParseRejects(t *testing.T) {
	for raw, want := range map[string]string{
		"":                 "empty",
		"rtmp://host:1935": "must start with srt://",
		"srt://host":       "with a port",
		"srt://host:9000?passphrase=0123456789&passphrase=abcdefghij": "option \"passphrase\" given twice",
		"srt://host:9000?latency=200000&LATENCY=300000":               "given twice",
		"srt://host:0":                     "out of range",
		"srt://host:9000/live":             "no path",
		"srt://user@host:9000":             "no path",
		"srt://host:9000?latency=200":      "latency=200000",
		"srt://host:9000?latency=x":        "microseconds",
		"srt://host:9000?latency=99000000": "out of range",
		// 2305843009213793952 µs overflows time.Duration to exactly 100 ms.
		"srt://host:9000?latency=2305843009213793952": "out of range",
		"srt://host:9000?streamid=a&StreamID=b":       "given twice",
		"srt://host:9000?passphrase=short":            "10 to 79",
		"srt://host:9000?mode=listener":               "caller",
		"srt://host:9000?pbkeylen=8":                  "16, 24 or 32",
		"srt://host:9000?foo=1":                       "unknown option",
		"srt://host:9000?passphrase=%zzsecretsecret":  "invalid %-escape",
		"srt://host:9000?streamid=a\x01":              "control",
	} {
		_, err := Parse(raw)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want an error with %q", raw, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "secretsecret") {
			t.Errorf("Parse(%q): error %q shows the passphrase", raw, err)
		}
	}
}

// showsPassphrase reports whether an error text holds the passphrase. A
// passphrase of 3 bytes or fewer, or one that is part of the package's own
// message text (the fuzzer found "ssph" inside the word "passphrase"), is
// no evidence of a leak; digits count as one class, since messages print
// numbers ("it has 4").
func showsPassphrase(t *testing.T, text, passphrase string) bool {
	if len(passphrase) <= 3 {
		return false
	}
	digits := regexp.MustCompile(`[0-9]+|%d`)
	norm := func(s string) string { return digits.ReplaceAllString(strings.ToLower(s), "0") }
	if !strings.Contains(norm(text), norm(passphrase)) {
		return false
	}
	return !strings.Contains(packageSource(t), norm(passphrase))
}

// packageSource is the package's non-test Go source, lower-cased, with
// digits normalised as showsPassphrase does.
func packageSource(t *testing.T) string {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(src)
	}
	return regexp.MustCompile(`[0-9]+|%d`).ReplaceAllString(strings.ToLower(b.String()), "0")
}

// FuzzParse: any input gives a URL or an error, never a panic; an
// accepted URL survives String and Parse again, and no error holds the
// passphrase.
func FuzzParse(f *testing.F) {
	f.Add("srt://127.0.0.1:9000?streamid=publish:cam&passphrase=0123456789&latency=120000")
	f.Add("srt://[::1]:1?mode=caller&pbkeylen=16")
	f.Add("srt://h:65535?pkt_size=1316&transtype=live")
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := Parse(raw)
		// The same input gives the same answer (no map-order dependence).
		if u2, err2 := Parse(raw); u2 != u || (err == nil) != (err2 == nil) {
			t.Fatalf("Parse(%q) twice: %+v %v, then %+v %v", raw, u, err, u2, err2)
		}
		if err != nil {
			if showsPassphrase(t, err.Error(), u.Passphrase) {
				t.Fatalf("error shows the passphrase: %v", err)
			}
			return
		}
		if MaskStreamID(u.StreamID, func(s string) string { return s }) != u.StreamID {
			t.Fatalf("stream id %q: its parts do not give it back", u.StreamID)
		}
		masked := u.Masked(func(string) string { return "\x00" })
		if n := len(StreamIDSecrets(u.StreamID)); strings.Count(masked, "\x00") < n {
			t.Fatalf("Masked = %q: %d secrets, fewer masks", masked, n)
		}
		again, err := Parse(u.String())
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q does not parse: %v", raw, u.String(), err)
		}
		u.Passphrase = ""
		if again != u {
			t.Fatalf("round trip %+v != %+v", again, u)
		}
	})
}
