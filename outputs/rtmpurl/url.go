// Package rtmpurl parses and validates RTMP and RTMPS publishing URLs and
// stream keys (the RTMP specification's tcUrl and publishing name; RTMPS is
// RTMP inside TLS). It is pure Go with no dependency beyond the standard
// library and golang.org/x/net/idna (international host names), so that configuration (app/profile) can validate destinations
// without linking the RTMP client; outputs/rtmp re-exports it.
package rtmpurl

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/net/idna"
)

// Default ports of the two schemes (RTMP specification section 5.1; RTMPS
// is RTMP inside TLS, served on 443 by YouTube, Facebook and Twitch).
const (
	DefaultPortRTMP  = 1935
	DefaultPortRTMPS = 443
)

// Endpoint is a validated RTMP or RTMPS publishing address.
type Endpoint struct {
	// Scheme is "rtmp" or "rtmps".
	Scheme string
	// Host is the host name or IP address, without brackets.
	Host string
	// Port is the TCP port (the scheme's default when the URL has none).
	Port int
	// App is the application, with its instance if any ("live",
	// "app/instance"), and the URL's query when the key is separate.
	App string
	// TCURL is the tcUrl sent in connect: scheme://host[:port]/app.
	TCURL string
	// StreamKey is the publishing name (a secret).
	StreamKey string
}

// URLError is a malformed URL or stream key. Its message never contains
// the key.
type URLError struct{ Reason string }

func (e *URLError) Error() string { return "rtmp url: " + e.Reason }

// ErrInvalidURL matches every URLError with errors.Is.
var ErrInvalidURL = errors.New("rtmp url: invalid")

// Is makes errors.Is(err, ErrInvalidURL) true for URL errors.
func (e *URLError) Is(target error) bool { return target == ErrInvalidURL }

func urlErr(format string, args ...any) error {
	return &URLError{Reason: fmt.Sprintf(format, args...)}
}

// ParseURL validates an RTMP or RTMPS URL and stream key without dialling.
// The key may be empty when it is the last path element of raw
// (rtmp://host/app/KEY). Accepted forms: rtmp://host[:port]/app[/instance]
// and rtmps://..., IPv6 literals in brackets; default ports 1935 and 443.
// Every problem gets its own message, and no message contains the key.
func ParseURL(raw, key string) (*Endpoint, error) {
	raw = strings.TrimSpace(raw)
	key = strings.TrimSpace(key)
	if raw == "" {
		return nil, urlErr("server URL is empty")
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return nil, urlErr("missing scheme: the URL must start with rtmp:// or rtmps://")
	}
	scheme = strings.ToLower(scheme)
	if scheme != "rtmp" && scheme != "rtmps" {
		return nil, urlErr("unsupported scheme %q: use rtmp:// or rtmps://", truncate(scheme, 16))
	}
	if rest == "" {
		return nil, urlErr("missing host")
	}
	if strings.ContainsFunc(raw, unicode.IsSpace) || strings.ContainsFunc(raw, unicode.IsControl) {
		return nil, urlErr("the URL contains spaces or control characters")
	}
	u, err := url.Parse(scheme + "://" + rest)
	if err != nil {
		// url.Error quotes the whole URL, which may hold the key.
		return nil, urlErr("cannot parse the URL (%s)", parseReason(err))
	}
	if u.User != nil {
		return nil, urlErr("user name or password in the URL is not supported")
	}
	if u.Fragment != "" || strings.HasSuffix(rest, "#") {
		return nil, urlErr("the URL must not contain a '#' fragment")
	}
	ep := &Endpoint{Scheme: scheme}
	if err := ep.setHostPort(u); err != nil {
		return nil, err
	}
	if err := ep.setAppKey(u, key); err != nil {
		return nil, err
	}
	ep.TCURL = scheme + "://" + u.Host + "/" + ep.App
	return ep, nil
}

func (ep *Endpoint) setHostPort(u *url.URL) error {
	host := u.Hostname()
	if host == "" {
		return urlErr("missing host")
	}
	if !isASCII(host) {
		// An internationalised domain name goes on the wire (DNS, tcUrl)
		// in its ASCII form (RFC 5891, punycode).
		ascii, err := idna.Lookup.ToASCII(host)
		if err != nil {
			return urlErr("invalid international host name %q: %s", truncate(host, 64), idnaReason(err))
		}
		u.Host = strings.Replace(u.Host, host, ascii, 1)
		host = ascii
	}
	switch {
	case strings.HasPrefix(u.Host, "["):
		if net.ParseIP(strings.SplitN(host, "%", 2)[0]) == nil {
			return urlErr("invalid IPv6 address %q", truncate(host, 64))
		}
	case strings.Contains(host, ":"):
		return urlErr("IPv6 addresses must be in brackets, e.g. rtmp://[::1]/live")
	case !validHostname(host):
		return urlErr("invalid host name %q", truncate(host, 64))
	}
	ep.Host = host
	ep.Port = DefaultPortRTMP
	if ep.Scheme == "rtmps" {
		ep.Port = DefaultPortRTMPS
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return urlErr("invalid port %q: must be 1-65535", truncate(p, 8))
		}
		ep.Port = n
	} else if strings.HasSuffix(u.Host, ":") {
		return urlErr("empty port after ':'")
	}
	return nil
}

// setAppKey splits the path into the application and the stream key.
func (ep *Endpoint) setAppKey(u *url.URL, key string) error {
	path := strings.TrimSuffix(strings.TrimPrefix(u.EscapedPath(), "/"), "/")
	var elems []string
	if path != "" {
		elems = strings.Split(path, "/")
	}
	for _, e := range elems {
		if e == "" {
			return urlErr("empty path element ('//') in the URL")
		}
	}
	// The key is the publishing name as the user wrote it: a key in the
	// path is sent unescaped (a Unicode key stays Unicode, not %D0%BA...).
	last := ""
	if len(elems) > 0 {
		var err error
		if last, err = url.PathUnescape(elems[len(elems)-1]); err != nil {
			return urlErr("invalid %% escape in the stream key")
		}
	}
	if key == "" {
		switch len(elems) {
		case 0:
			return urlErr("missing application name and stream key (want rtmp://host/app/ with the stream key after it, or the key given separately)")
		case 1:
			return urlErr("missing stream key: give it separately or as the last path element")
		}
		ep.StreamKey = last
		if u.RawQuery != "" {
			// Query parameters follow the publishing name (Twitch's
			// ?bandwidthtest=true, Facebook's ?s_bl=...).
			ep.StreamKey += "?" + u.RawQuery
		}
		elems = elems[:len(elems)-1]
	} else {
		if len(elems) > 0 && last == key {
			// The key was pasted into the URL as well.
			elems = elems[:len(elems)-1]
		}
		if len(elems) == 0 {
			return urlErr("missing application name (rtmp://host/app)")
		}
		ep.StreamKey = key
	}
	if err := checkKey(ep.StreamKey); err != nil {
		return err
	}
	if len(elems) > 0 {
		// The URL is kept as rtmp://host/APP with the key apart: a key
		// equal to APP's last element would read back as a key pasted
		// into the URL and be dropped from the application.
		if appLast, err := url.PathUnescape(elems[len(elems)-1]); err == nil && appLast == ep.StreamKey {
			return urlErr("the stream key is the same as the last element of the application path: " +
				"check the URL (rtmp://host/app) and the key")
		}
	}
	ep.App = strings.Join(elems, "/")
	if key != "" && u.RawQuery != "" {
		ep.App += "?" + u.RawQuery
	}
	return nil
}

func checkKey(key string) error {
	switch {
	case key == "":
		return urlErr("stream key is empty")
	case strings.ContainsFunc(key, unicode.IsSpace), strings.ContainsFunc(key, unicode.IsControl):
		return urlErr("stream key contains spaces or control characters")
	case strings.Contains(key, "/"):
		return urlErr("stream key must not contain '/'")
	case len(key) > 1024:
		return urlErr("stream key is too long (%d characters, max 1024)", len(key))
	}
	return nil
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// idnaReason is the idna error without its package prefix.
func idnaReason(err error) string {
	return strings.TrimPrefix(err.Error(), "idna: ")
}

func validHostname(h string) bool {
	if len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if c != '-' && c != '_' && (c < '0' || c > '9') && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') {
				return false
			}
		}
	}
	return true
}

// parseReason extracts url.Parse's reason without the quoted URL.
func parseReason(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		var he url.InvalidHostError
		if errors.As(ue.Err, &he) {
			return "invalid character in host"
		}
		var ee url.EscapeError
		if errors.As(ue.Err, &ee) {
			return "invalid % escape"
		}
		msg := ue.Err.Error()
		if strings.Contains(msg, "ParseAddr") {
			return "invalid IPv6 address"
		}
		if i := strings.IndexByte(msg, '"'); i >= 0 {
			msg = strings.TrimSpace(msg[:i])
		}
		return msg
	}
	return "malformed"
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// Addr returns "host:port" for dialling (IPv6 in brackets).
func (ep *Endpoint) Addr() string {
	return net.JoinHostPort(ep.Host, strconv.Itoa(ep.Port))
}

// String returns the URL with the stream key masked, safe for logs (a
// query, which may hold a token, is left out).
func (ep *Endpoint) String() string {
	app, _, _ := strings.Cut(ep.App, "?")
	return ep.Scheme + "://" + ep.Addr() + "/" + app + "/" + MaskKey(ep.StreamKey)
}

// MaskKey hides a stream key for display.
func MaskKey(key string) string {
	if key == "" {
		return ""
	}
	return "****"
}
