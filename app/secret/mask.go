// Package secret masks stream keys for display and redacts them from logs,
// errors and any other text GoLive prints.
//
// Stream keys are registered with a Registry (Default unless told
// otherwise) as soon as they are loaded or typed; every later log line that
// goes through Handler, and every string passed to Registry.Redact, has them
// replaced. URLs that embed a key (rtmp://host/app/KEY, ?key=..., user:pass@,
// #KEY) are redacted even when the key was never registered.
package secret

import (
	"net/url"
	"regexp"
	"strings"
)

// Redacted replaces a secret in logs and messages.
const Redacted = "[REDACTED]"

// minVisibleTail is the key length from which Mask shows the last 4
// characters, so a user can tell two long keys apart without exposing them.
const minVisibleTail = 16

// Mask returns a display form of a stream key: "" for no key, "****" for a
// short key, "****" plus the last 4 characters for a long one.
func Mask(key string) string {
	if key == "" {
		return ""
	}
	r := []rune(key)
	if len(r) < minVisibleTail {
		return "****"
	}
	return "****" + string(r[len(r)-4:])
}

// sensitiveParams are query parameter names whose values are secrets.
var sensitiveParams = []string{
	"key", "streamkey", "stream_key", "token", "secret", "password", "pass",
	"pwd", "auth", "sig", "signature", "passphrase", "streamid",
}

// IsSensitiveName reports whether a field, attribute or query parameter
// name designates a secret (key, stream_key, token, password...).
func IsSensitiveName(name string) bool {
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.ReplaceAll(n, "-", "_")
	for _, s := range sensitiveParams {
		if n == s || strings.HasSuffix(n, "_"+s) || strings.HasSuffix(n, "."+s) {
			return true
		}
	}
	return n == "rtmpkey" || n == "streamkey" || n == "apikey"
}

// keyInPathSchemes are URL schemes whose path after the first segment
// (the RTMP application) is the stream key.
var keyInPathSchemes = map[string]bool{
	"rtmp": true, "rtmps": true, "rtmpt": true, "rtmpe": true, "rtmpte": true, "rtmpts": true,
}

// RedactURL returns raw with every embedded secret replaced: for RTMP URLs
// the path after the application (the stream name, which is the key), the
// password of user:password@, values of key-like query parameters and the
// fragment (GoLive's URL#KEY form). Text that does not parse as a URL is
// returned with everything after the scheme's host hidden, so a malformed
// URL never leaks either.
func RedactURL(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return redactUnparsable(raw)
	}
	if u.Host == "" && u.Opaque == "" && u.Path == "" && u.RawQuery == "" && u.Fragment == "" && u.User == nil {
		return raw // a bare "rtmp://" in a sentence: nothing to hide
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), Redacted)
		}
	}
	if keyInPathSchemes[strings.ToLower(u.Scheme)] {
		u.Path, u.RawPath = redactRTMPPath(u.Path), ""
		if u.Opaque != "" {
			u.Opaque = Redacted
		}
	}
	if u.RawQuery != "" {
		u.RawQuery = redactQuery(u.RawQuery)
	}
	if u.Fragment != "" || u.RawFragment != "" {
		u.Fragment, u.RawFragment = Redacted, ""
	}
	// url.URL.String escapes the brackets of the marker; undo that.
	s := u.String()
	s = strings.ReplaceAll(s, "%5BREDACTED%5D", Redacted)
	return s
}

// redactRTMPPath keeps the application (first segment) and replaces the
// stream name that follows it.
func redactRTMPPath(p string) string {
	trimmed := strings.TrimPrefix(p, "/")
	app, rest, found := strings.Cut(trimmed, "/")
	if !found || rest == "" {
		return p
	}
	return "/" + app + "/" + Redacted
}

// redactQuery replaces the values of sensitive parameters, keeping the
// parameter order and every other value as written.
func redactQuery(q string) string {
	parts := strings.Split(q, "&")
	for i, part := range parts {
		name, _, hasValue := strings.Cut(part, "=")
		if hasValue && IsSensitiveName(unescape(name)) {
			parts[i] = name + "=" + Redacted
		}
	}
	return strings.Join(parts, "&")
}

func unescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// redactUnparsable keeps "scheme://host" of something URL-like and hides
// the rest; anything else is hidden entirely.
func redactUnparsable(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return Redacted
	}
	host, _, _ := strings.Cut(rest, "/")
	if at := strings.LastIndex(host, "@"); at >= 0 {
		host = host[at+1:]
	}
	if strings.ContainsAny(host, "?#") || host == "" {
		return scheme + "://" + Redacted
	}
	return scheme + "://" + host + "/" + Redacted
}

// urlInText finds URL-looking substrings in free text.
var urlInText = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.\-]{1,15}://[^\s"'<>` + "`" + `]+`)

// RedactURLsInText redacts every URL found in free text (a log message,
// an error string) with RedactURL.
func RedactURLsInText(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	return urlInText.ReplaceAllStringFunc(s, func(m string) string {
		// Keep trailing punctuation that ends a sentence out of the URL.
		trail := ""
		for len(m) > 0 && strings.ContainsRune(".,;:)]}", rune(m[len(m)-1])) {
			trail = m[len(m)-1:] + trail
			m = m[:len(m)-1]
		}
		return RedactURL(m) + trail
	})
}
