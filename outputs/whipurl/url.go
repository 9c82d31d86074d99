// Package whipurl parses WHIP endpoint URLs (RFC 9725), optionally with
// the bearer token after '#' as the command line takes it:
//
//	https://host[:port]/path/whip[?query][#TOKEN]
//
// It uses the standard library only: profiles and the command line check
// a WHIP destination without the WebRTC stack in outputs/whip. Errors
// never contain the token.
package whipurl

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"unicode"
)

// Limits.
const (
	// MaxURLLength bounds the endpoint URL.
	MaxURLLength = 2048
	// MaxTokenLength bounds the bearer token (JWTs of a few kB exist).
	MaxTokenLength = 8192
)

// Error is a parse error; its message never holds the token.
type Error struct{ Reason string }

func (e *Error) Error() string { return "whip url: " + e.Reason }

func fail(format string, a ...any) error { return &Error{Reason: fmt.Sprintf(format, a...)} }

// Split parses URL[#TOKEN]: the endpoint (without the fragment) and the
// token after '#' ("" when there is none).
func Split(raw string) (endpoint, token string, err error) {
	raw = strings.TrimSpace(raw)
	base, tok, _ := strings.Cut(raw, "#")
	if err := CheckToken(tok); err != nil {
		return "", "", err
	}
	u, err := Parse(base)
	if err != nil {
		return "", "", err
	}
	return u.String(), tok, nil
}

// Parse checks a WHIP endpoint URL: http or https, a host, no user
// information, no fragment.
func Parse(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, fail("empty (want https://HOST/PATH)")
	}
	if len(raw) > MaxURLLength {
		return nil, fail("longer than %d characters", MaxURLLength)
	}
	if strings.ContainsFunc(raw, unicode.IsControl) || strings.ContainsFunc(raw, unicode.IsSpace) {
		return nil, fail("contains spaces or control characters")
	}
	if strings.Contains(raw, "#") {
		return nil, fail("the token goes after '#' on the command line only; give it as the destination's key")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fail("not a URL (check %%-escapes)")
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	default:
		return nil, fail("must start with https:// or http://")
	}
	if u.User != nil {
		return nil, fail("no user name or password in the URL: give the token as the destination's key")
	}
	if u.Hostname() == "" {
		return nil, fail("missing host")
	}
	if p := u.Port(); p != "" {
		if _, err := net.LookupPort("tcp", p); err != nil || p == "0" {
			return nil, fail("bad port %q", p)
		}
	}
	u.Scheme = strings.ToLower(u.Scheme)
	// The URL is used in its escaped form, which can be three times as
	// long ("é" is "%C3%A9"): the limit holds for that form too, so that
	// what Parse accepts parses again.
	if n := len(u.String()); n > MaxURLLength {
		return nil, fail("longer than %d characters once %%-escaped (%d)", MaxURLLength, n)
	}
	return u, nil
}

// CheckToken checks a bearer token: printable ASCII without spaces (RFC
// 6750 b64token and JWT characters), bounded.
func CheckToken(tok string) error {
	if len(tok) > MaxTokenLength {
		return fail("token longer than %d characters", MaxTokenLength)
	}
	for _, r := range tok {
		if r <= ' ' || r > '~' {
			return fail("token contains spaces, control or non-ASCII characters")
		}
	}
	return nil
}

// IsLoopback reports whether the endpoint's host is a loopback address or
// localhost (ICE then needs loopback candidates).
func IsLoopback(u *url.URL) bool {
	h := u.Hostname()
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
