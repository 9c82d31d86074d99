package profile

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golive/app/secret"
)

// FuzzLoadProfiles feeds arbitrary bytes to the profile loader and to
// profile import (fuzzImport): parsing never panics, a parsed file re-encodes to a fixed point, and Store.Open
// always starts (moving a bad file aside) without losing the input.
// Corpus: testdata/fuzz/FuzzLoadProfiles. Run: go test -fuzz=FuzzLoadProfiles ./app/profile
func FuzzLoadProfiles(f *testing.F) {
	for _, seed := range []string{
		`{"schema":1,"profiles":[]}`,
		`{"profiles":{"A":{"rtmp_url":"rtmp://h/app/k","rtp":"[::1]:5004"}}}`,
		`{"schema":99,"x":{"y":[1]},"profiles":[{"name":"N","destinations":[{"kind":"rtmp","rtmp":{"url":"rtmps://h/a"}}]}]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzImport(t, data)
		doc, _, err := parseDoc(data)
		if err == nil {
			for i := range doc.Profiles {
				_ = doc.Profiles[i].Validate()
				_ = doc.Profiles[i].ValidateForLive()
			}
			enc1, err := encodeDoc(doc)
			if err != nil {
				t.Fatalf("encode parsed doc: %v", err)
			}
			doc2, _, err := parseDoc(enc1)
			if err != nil {
				t.Fatalf("re-parse own output: %v\n%s", err, enc1)
			}
			enc2, _ := encodeDoc(doc2)
			if !bytes.Equal(enc1, enc2) {
				t.Fatalf("not a fixed point:\n%s\n%s", enc1, enc2)
			}
		}
		dir := fastTempDir(t)
		path := filepath.Join(dir, FileName)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		s := &Store{Dir: dir, Keyring: &MemoryKeyring{}, Logger: discardLogger()}
		if err := s.Open(); err != nil {
			t.Fatalf("Open must always start: %v", err)
		}
		if err != nil || len(bytes.TrimSpace(data)) == 0 {
			// The bad input must still exist, moved aside, byte for byte.
			matches, _ := filepath.Glob(path + ".corrupt-*")
			if len(matches) != 1 {
				t.Fatalf("bad file not moved aside: %v", matches)
			}
			if got, _ := os.ReadFile(matches[0]); !bytes.Equal(got, data) {
				t.Fatal("moved-aside content differs")
			}
		}
	})
}

// fuzzImport reads the same bytes as a profile export (golive profile
// import, the window's Import): no panic, and an imported profile exports
// and imports again to a fixed point.
func fuzzImport(t *testing.T, data []byte) {
	p, err := DecodeExport(data)
	if err != nil {
		return
	}
	_ = p.Validate()
	enc1, err := EncodeExport(p, true)
	if err != nil {
		t.Fatalf("export an imported profile: %v", err)
	}
	p2, err := DecodeExport(enc1)
	if err != nil {
		t.Fatalf("import own export: %v\n%s", err, enc1)
	}
	if enc2, _ := EncodeExport(p2, true); !bytes.Equal(enc1, enc2) {
		t.Fatalf("export not a fixed point:\n%s\n%s", enc1, enc2)
	}
	fuzzExportWithoutKeys(t, p)
}

// fuzzExportWithoutKeys: an export without keys imports again with no
// secret left in any destination (key, keychain reference, passphrase or
// stream id secret in the URL, key-like query parameter), and exporting
// that again gives the same file (what was left out stays listed).
func fuzzExportWithoutKeys(t *testing.T, p Profile) {
	shared, err := EncodeExport(p, false)
	if err != nil {
		t.Fatalf("export without keys: %v", err)
	}
	p3, err := DecodeExport(shared)
	if err != nil {
		t.Fatalf("import own export without keys: %v\n%s", err, shared)
	}
	for _, d := range p3.Destinations {
		if key, ref, ok := d.secretFields(); ok && (*key != "" || *ref != "") {
			t.Fatalf("destination %q keeps its key in an export without keys:\n%s", d.Name, shared)
		}
		for _, s := range d.urlSecrets() {
			if s != "" {
				t.Fatalf("destination %q keeps a secret in its URL (%q):\n%s", d.Name, s, shared)
			}
		}
		if u := d.urlField(); u != nil {
			if _, changed := stripURLSecrets(d.SRT != nil && d.RTMP == nil, *u); changed {
				t.Fatalf("destination %q keeps a secret in its URL:\n%s", d.Name, shared)
			}
		}
	}
	if again, _ := EncodeExport(p3, false); !bytes.Equal(shared, again) {
		t.Fatalf("export without keys not a fixed point:\n%s\n%s", shared, again)
	}
}

// FuzzDestinationFlags fuzzes the destination URL parsers behind --rtmp
// URL[#KEY] / --rtmp-key (outputs/rtmp.ParseURL), --srt URL and --whip
// URL[#TOKEN] / --whip-token (the same two strings) and --rtp
// HOST:PORT[?opts]: no panic, a key never appears in an error, and what
// is accepted validates and survives a round trip.
// Corpus: testdata/fuzz/FuzzDestinationFlags.
func FuzzDestinationFlags(f *testing.F) {
	f.Add("rtmp://live.twitch.tv/app", "live_123456789_abc", "127.0.0.1:5004")
	f.Add("rtmps://a.rtmps.youtube.com:443/live2/xxxx-yyyy#xxxx-yyyy", "", "[::1]:5004?mode=native&mtu=1400")
	f.Fuzz(func(t *testing.T, rawURL, key, rtpSpec string) {
		d, err := ParseRTMPFlag(rawURL, key)
		if err != nil {
			if leaksKey(err, rawURL, key, func(k string) error { _, err := ParseRTMPFlag(rawURL, k); return err }) {
				t.Fatalf("error leaks the key: %v", err)
			}
		} else {
			if d.RTMP == nil || d.Kind != KindRTMP {
				t.Fatalf("bad destination %+v", d)
			}
			if err := checkDest(d); err != nil {
				t.Fatalf("accepted %q but does not validate: %v", rawURL, err)
			}
			again, err := ParseRTMPFlag(d.RTMP.URL, d.RTMP.Key)
			if err != nil || again.RTMP.URL != d.RTMP.URL || again.RTMP.Key != d.RTMP.Key {
				t.Fatalf("round trip of %q: %v", rawURL, err)
			}
		}
		fuzzSRTWHIPFlags(t, rawURL, key)
		r, err := ParseRTPFlag(rtpSpec)
		if err != nil {
			return
		}
		if err := checkDest(r); err != nil {
			t.Fatalf("accepted %q but does not validate: %v", rtpSpec, err)
		}
		again, err := ParseRTPFlag(r.RTP.TargetString())
		if err != nil {
			t.Fatalf("round trip of %q via %q: %v", rtpSpec, r.RTP.TargetString(), err)
		}
		again.Name = r.Name
		if again.RTP.Host != r.RTP.Host || again.RTP.Port != r.RTP.Port || again.RTP.Mode != r.RTP.Mode ||
			again.RTP.MTU != r.RTP.MTU || again.RTP.TTL != r.RTP.TTL || again.RTP.SDPPath != r.RTP.SDPPath ||
			again.RTP.SRTP != r.RTP.SRTP || again.RTP.SRTPVLC != r.RTP.SRTPVLC {
			t.Fatalf("round trip of %q changed it: %+v vs %+v", rtpSpec, *again.RTP, *r.RTP)
		}
	})
}

// fuzzSRTWHIPFlags checks ParseSRTFlag and ParseWHIPFlag on one input.
func fuzzSRTWHIPFlags(t *testing.T, rawURL, key string) {
	if d, err := ParseSRTFlag(rawURL); err == nil {
		if err := checkDest(d); err != nil {
			t.Fatalf("--srt %q accepted but does not validate: %v", rawURL, err)
		}
		if again, err := ParseSRTFlag(d.SRT.URL); err != nil || again.SRT.URL != d.SRT.URL {
			t.Fatalf("--srt round trip of %q via %q: %v", rawURL, d.SRT.URL, err)
		}
	}
	d, err := ParseWHIPFlag(rawURL, key)
	if err != nil {
		if leaksKey(err, rawURL, key, func(k string) error { _, err := ParseWHIPFlag(rawURL, k); return err }) {
			t.Fatalf("--whip error leaks the token: %v", err)
		}
		return
	}
	if err := checkDest(d); err != nil {
		t.Fatalf("--whip %q accepted but does not validate: %v", rawURL, err)
	}
	if again, err := ParseWHIPFlag(d.WHIP.URL, d.WHIP.Key); err != nil || again.WHIP.URL != d.WHIP.URL {
		t.Fatalf("--whip round trip of %q via %q: %v", rawURL, d.WHIP.URL, err)
	}
}

// leaksKey reports an error that shows the separately given key: one
// that is not part of the URL, as typed or as the message renders it
// (redacted and %-escaped: "a:/0000000\"" shows as "a:/0000000%22", which
// holds a key "0000000%" by coincidence, not by leaking it), and that the
// key put there: parsed again with another key of the same length and
// character classes (otherKey), a message that holds the key as often
// has it from its own fixed text or numbers (a key "contains spaces" in
// "stream key contains spaces"), not from the key.
func leaksKey(err error, rawURL, key string, parse func(key string) error) bool {
	base, _, _ := strings.Cut(strings.TrimSpace(rawURL), "#")
	if len(key) < 8 || strings.Contains(rawURL, key) || strings.Contains(secret.RedactURL(base), key) ||
		!strings.Contains(err.Error(), key) {
		return false
	}
	other := otherKey(key)
	if other == key {
		return true
	}
	err2 := parse(other)
	return err2 == nil || strings.Count(err.Error(), key) > strings.Count(err2.Error(), key)
}

// otherKey is key with every ASCII letter and digit moved to the next one
// of its class (a→b, z→a, 9→0): the same length and character classes, so
// that a parser takes the same path, and no longer the same text.
func otherKey(key string) string {
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
	return string(b)
}

// fastTempDir is a temporary directory on tmpfs when there is one: the
// store fsyncs every write, which on a disk makes fuzzing crawl.
func fastTempDir(t *testing.T) string {
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		if dir, err := os.MkdirTemp("/dev/shm", "golive-fuzz-"); err == nil {
			t.Cleanup(func() { _ = os.RemoveAll(dir) })
			return dir
		}
	}
	return t.TempDir()
}

// TestLeaksKey: the fuzz oracle still catches a message that echoes the
// key (in any case of its fixed text), and excuses a key that is the
// message's own wording.
func TestLeaksKey(t *testing.T) {
	echo := func(k string) error { return fmt.Errorf("stream key %q contains spaces", k) }
	if !leaksKey(echo("my secret key"), "rtmp://h/app", "my secret key", echo) {
		t.Error("an echoed key is not reported")
	}
	if !leaksKey(echo("contains spaces"), "rtmp://h/app", "contains spaces", echo) {
		t.Error("an echoed key that is also message text is not reported")
	}
	fixed := func(string) error { return errors.New("stream key contains spaces") }
	if leaksKey(fixed(""), "rtmp://h/app", "contains spaces", fixed) {
		t.Error("a key that is the message's own text is reported")
	}
}
