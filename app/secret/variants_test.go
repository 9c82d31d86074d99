package secret

import (
	"bytes"
	"log/slog"
	"net/url"
	"strings"
	"testing"
)

// echoes are the forms in which a server, a library or a URL parser may
// hand a registered key back to us.
func echoes(key string) []string {
	pre, _, _ := strings.Cut(key, "?")
	_, tail, _ := strings.Cut(key, "&")
	return []string{
		key,
		url.PathEscape(key),
		url.QueryEscape(key),
		strings.ToLower(url.QueryEscape(key)),
		strings.ToLower(key),
		strings.ToUpper(key),
		pre,
		strings.ToLower(pre),
		tail,
		url.QueryEscape(tail),
	}
}

func TestRegistryHidesEveryForm(t *testing.T) {
	const key = "FB-1234567890-0-AbCdEfGhIjK?s_bl=1&s_ps=1&a=AbCdEf123456xyz"
	reg := &Registry{}
	reg.Register(key)
	for _, form := range echoes(key) {
		msg := "server said: bad name \"" + form + "\" (code 403)"
		got := reg.Redact(msg)
		if strings.Contains(got, form) {
			t.Errorf("form %q left in %q", form, got)
		}
		if !strings.Contains(got, Redacted) || !strings.HasPrefix(got, "server said: bad name ") {
			t.Errorf("form %q: unexpected redaction %q", form, got)
		}
		if !reg.Contains(msg) {
			t.Errorf("Contains misses %q", form)
		}
	}
	// Short parts stay: "s_bl=1" and "s_ps=1" are 6 characters, hidden;
	// plain words around the key are untouched.
	if got := reg.Redact("a=1 and s_bl=2 stay"); got != "a=1 and s_bl=2 stay" {
		t.Errorf("clean text changed: %q", got)
	}
}

func TestVariants(t *testing.T) {
	v := Variants("abc?defghi&jk")
	want := []string{"abc?defghi&jk", "abc%3Fdefghi&jk", "abc%3Fdefghi%26jk", "defghi"}
	if strings.Join(v, " ") != strings.Join(want, " ") {
		t.Fatalf("Variants = %q, want %q", v, want)
	}
	if len(Variants("abc")) != 0 {
		t.Fatal("too short a key gave variants")
	}
}

func TestHandlerHidesEscapedAndFoldedKeys(t *testing.T) {
	const key = "Live_Key-With?Query=Part&tok=9876543210"
	reg := &Registry{}
	reg.Register(key)
	var buf bytes.Buffer
	log := slog.New(NewHandler(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}), reg))
	for _, form := range echoes(key) {
		log.Debug("server text "+form, "description", "echo: "+form)
	}
	out := buf.String()
	for _, form := range echoes(key) {
		if strings.Contains(out, form) {
			t.Errorf("%q leaked:\n%s", form, out)
		}
	}
}

func TestBareSchemeKept(t *testing.T) {
	const msg = "its URL is plain rtmp://, without TLS"
	if got := (&Registry{}).Redact(msg); got != msg {
		t.Fatalf("Redact(%q) = %q", msg, got)
	}
}
