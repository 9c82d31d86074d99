package whipurl

import (
	"errors"
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	ep, tok, err := Split(" https://whip.example.com/live/whip?app=1#abc.DEF-123 ")
	if err != nil || ep != "https://whip.example.com/live/whip?app=1" || tok != "abc.DEF-123" {
		t.Fatalf("Split = %q %q %v", ep, tok, err)
	}
	for raw, want := range map[string]string{
		"":                    "empty",
		"ftp://h/x":           "https://",
		"https://user:pw@h/x": "no user name",
		"https:///x":          "missing host",
		"https://h:99999/x":   "bad port",
		"https://h/x#tok en":  "token contains",
		"https://h/x y":       "spaces",
		"https://h/" + strings.Repeat("a", MaxURLLength): "longer",
	} {
		if _, _, err := Split(raw); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Split(%.40q) = %v, want %q", raw, err, want)
		}
	}
}

// FuzzSplit: no panic; an accepted endpoint parses again unchanged and no
// error shows the token.
func FuzzSplit(f *testing.F) {
	f.Add("https://whip.example.com/live/whip#token")
	f.Add("http://127.0.0.1:8889/cam/whip?x=%20")
	f.Add("https://[::1]:443/a#b#c")
	f.Fuzz(func(t *testing.T, raw string) {
		ep, tok, err := Split(raw)
		if err != nil {
			if showsToken(err, raw) {
				t.Fatalf("error shows the token: %v", err)
			}
			return
		}
		ep2, tok2, err := Split(ep)
		if err != nil || ep2 != ep || tok2 != "" {
			t.Fatalf("%q: endpoint %q does not parse again: %q %v", raw, ep, ep2, err)
		}
		if CheckToken(tok) != nil {
			t.Fatalf("bad token accepted")
		}
	})
}

// showsToken reports an error of Split(raw) that shows the token after
// '#' (of 7 bytes or more). A token that is also in the URL before '#'
// (a port "9999999" echoed as bad) or in the message's own wording
// ("contains" in "contains spaces or control characters") is no leak:
// split again with the token's letters and digits moved on by one (the
// same length and classes, so the same path), the message must show it
// as often.
func showsToken(err error, raw string) bool {
	base, tok, ok := strings.Cut(raw, "#")
	if !ok || len(tok) <= 6 || strings.Contains(base, tok) || !strings.Contains(err.Error(), tok) {
		return false
	}
	b := []byte(tok)
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
	if string(b) == tok {
		return true
	}
	_, _, err2 := Split(base + "#" + string(b))
	return err2 == nil || strings.Count(err.Error(), tok) > strings.Count(err2.Error(), tok)
}

// TestShowsToken: the fuzz oracle reports a token in an error, and not
// one that the message has from the URL or its own wording.
func TestShowsToken(t *testing.T) {
	for raw, want := range map[string]bool{
		"https://h:99999999#99999999": false,
		"https://h/ x#contains":       false,
		"https://h/x#bad token":       false,
	} {
		_, _, err := Split(raw)
		if err == nil || showsToken(err, raw) != want {
			t.Errorf("Split(%q) = %v: showsToken != %v", raw, err, want)
		}
	}
	if !showsToken(errors.New(`whip url: bad token "my-secret-token"`), "x#my-secret-token") {
		t.Error("a token in the message is not reported")
	}
}
