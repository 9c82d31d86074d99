package secret

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// keyChars are the characters of stream keys, tokens and passphrases as
// services hand them out (Facebook keys carry ?, & and =).
const keyChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~?&=:+"

// FuzzRedact puts a registered key, in each form a server or library may
// echo it in (echoes, or with a byte %-escaped), between any two texts (URLs, log lines): what
// Registry.Redact returns never holds the key in any letter case. Any
// value, invalid UTF-8 included, registers without a panic and is hidden
// as given. Corpus: testdata/fuzz/FuzzRedact.
func FuzzRedact(f *testing.F) {
	f.Add("live_123456789_abcdefghij", "publish rtmp://live.twitch.tv/app/", " refused")
	f.Add("FB-1234567890-0-AbCd?s_bl=1&a=AbCdEf123456", "rtmps://h:443/rtmp/", "#x")
	f.Add("s3cret-publish", "whip https://u:", "@h/whip?token=")
	f.Add("abcd1234", "rtmp://", "@h/app")
	f.Fuzz(func(t *testing.T, key, before, after string) {
		// Any value registers (a key piped in may be invalid UTF-8) and is
		// hidden as given.
		loose := &Registry{}
		loose.Register(key)
		if out := loose.Redact(before + key + after); len(key) >= MinSecretLen &&
			!strings.Contains(strings.ToLower(Redacted), strings.ToLower(key)) && leftBetweenMarkers(out, key) {
			t.Fatalf("key %q left in %q", key, out)
		}
		r := &Registry{}
		if len(key) < MinSecretLen || len(key) > 256 || strings.Trim(key, keyChars) != "" ||
			strings.Contains(strings.ToLower(Redacted), strings.ToLower(key)) {
			return
		}
		r.Register(key)
		// A URL may %-escape any byte: "%61bcd" is "abcd" to a URL parser.
		escaped := fmt.Sprintf("%%%02X", key[0]) + key[1:]
		for _, form := range append(echoes(key), escaped) {
			if len(form) < MinSecretLen {
				continue
			}
			out := r.Redact(before + form + after)
			// Markers become a byte no key has, so that a marker and its
			// neighbours never spell the key.
			if containsFold(strings.ReplaceAll(out, Redacted, "\x00"), key) {
				t.Fatalf("key %q (form %q) left in %q", key, form, out)
			}
		}
	})
}

// leftBetweenMarkers reports a key in the text between the markers of
// out. Any value registers, so no byte can stand in for a marker: a key
// "\x00\x00\x00\x00" after "\x00\x00\x00" is redacted to
// "[REDACTED]\x00\x00\x00", which a "\x00" stand-in would read as the key.
func leftBetweenMarkers(out, key string) bool {
	for _, piece := range strings.Split(out, Redacted) {
		if strings.Contains(piece, key) {
			return true
		}
	}
	return false
}

// containsFold reports whether s holds key in any letter case, as the
// registry's (?i) matching reads case: Unicode simple folding, so that
// "\u212a" (Kelvin sign) is a case of "k" but "\u0130" (dotted capital
// I, whose lower case is "i" and a combining dot) is no case of "i". The
// keys are ASCII: one byte a rune.
func containsFold(s, key string) bool {
	for i := range s {
		j, n := i, 0
		for n < len(key) && j < len(s) {
			_, size := utf8.DecodeRuneInString(s[j:])
			j += size
			n++
		}
		if n < len(key) {
			return false
		}
		if strings.EqualFold(s[i:j], key) {
			return true
		}
	}
	return false
}

// TestContainsFold: the fuzz oracle's case-insensitive search.
func TestContainsFold(t *testing.T) {
	for _, c := range []struct {
		s, key string
		want   bool
	}{
		{"x ABCD y", "abcd", true}, {"\u212a\u212a\u212a\u212a", "kkkk", true}, {"ABC\u0130", "abci", false},
		{"abc", "abcd", false}, {"ab\x00cd", "abcd", false},
	} {
		if got := containsFold(c.s, c.key); got != c.want {
			t.Errorf("containsFold(%q, %q) = %v", c.s, c.key, got)
		}
	}
}
