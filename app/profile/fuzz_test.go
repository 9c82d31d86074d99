package profile

import (
	"bytes"
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
			if leaksKey(err, rawURL, key) {
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
		if leaksKey(err, rawURL, key) {
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
// holds a key "0000000%" by coincidence, not by leaking it).
func leaksKey(err error, rawURL, key string) bool {
	base, _, _ := strings.Cut(strings.TrimSpace(rawURL), "#")
	return len(key) >= 8 && !strings.Contains(rawURL, key) && !strings.Contains(secret.RedactURL(base), key) &&
		strings.Contains(err.Error(), key)
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
