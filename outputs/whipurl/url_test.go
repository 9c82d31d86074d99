package whipurl

import (
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
			if _, frag, ok := strings.Cut(raw, "#"); ok && len(frag) > 6 && strings.Contains(err.Error(), frag) {
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
