// Package srturl parses SRT destination URLs in the form ffmpeg, OBS and
// MediaMTX use (caller mode):
//
//	srt://HOST:PORT[?streamid=ID&passphrase=SECRET&latency=MICROSECONDS&pbkeylen=16|24|32]
//
// It is pure Go (no cgo), so that profiles and the command line can check
// an SRT URL without the libsrt-backed sender in outputs/srt. Errors never
// contain the passphrase.
package srturl

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Limits of libsrt (srt.h) and of what we accept.
const (
	// MaxURLLength bounds the whole URL.
	MaxURLLength = 4096
	// MaxStreamIDLength is libsrt's limit on SRTO_STREAMID.
	MaxStreamIDLength = 512
	// MinPassphrase and MaxPassphrase are libsrt's SRTO_PASSPHRASE limits.
	MinPassphrase = 10
	MaxPassphrase = 79
	// MinLatency and MaxLatency bound the receiver buffer we ask for.
	MinLatency = 20 * time.Millisecond
	MaxLatency = 10 * time.Second
	// DefaultLatency is libsrt's live-mode default.
	DefaultLatency = 120 * time.Millisecond
	// PayloadSize is the live-mode payload: 7 MPEG-TS packets.
	PayloadSize = 1316
)

// URL is a parsed SRT caller URL.
type URL struct {
	Host string
	Port int
	// StreamID is sent to the listener (SRTO_STREAMID), e.g.
	// "publish:live/cam" for MediaMTX.
	StreamID string
	// Passphrase turns on AES encryption ("" = none). A secret.
	Passphrase string
	// Latency is the receiver buffer asked for (0 = libsrt's default).
	Latency time.Duration
	// KeyLength is the AES key length in bytes (0 = default 16).
	KeyLength int
}

// Error is a parse error; its message never holds the passphrase.
type Error struct{ Reason string }

func (e *Error) Error() string { return "srt url: " + e.Reason }

func fail(format string, a ...any) error { return &Error{Reason: fmt.Sprintf(format, a...)} }

// Parse reads an srt:// URL. The latency query parameter is in
// microseconds, as ffmpeg and OBS read it (latency=200000 is 200 ms).
func Parse(raw string) (URL, error) {
	raw = strings.TrimSpace(raw)
	if len(raw) > MaxURLLength {
		return URL{}, fail("longer than %d characters", MaxURLLength)
	}
	if raw == "" {
		return URL{}, fail("empty (want an srt:// URL with a host and port, e.g. srt://example.com:9000, and the stream in ?streamid=)")
	}
	if strings.ContainsFunc(raw, unicode.IsControl) {
		return URL{}, fail("contains control characters")
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok || !strings.EqualFold(scheme, "srt") {
		return URL{}, fail("must start with srt://")
	}
	addr, query, _ := strings.Cut(rest, "?")
	addr = strings.TrimSuffix(addr, "/")
	if strings.ContainsAny(addr, "/@#") {
		return URL{}, fail("want only a host and port after srt:// (no path or user name; the stream goes in ?streamid=)")
	}
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil || host == "" {
		return URL{}, fail("want a host with a port after srt:// (e.g. srt://example.com:9000)")
	}
	if strings.Contains(host, ":") && net.ParseIP(host) == nil {
		return URL{}, fail("host %q is not a valid IPv6 address", host)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 1 || port > 65535 {
		return URL{}, fail("port %q out of range 1-65535", portStr)
	}
	u := URL{Host: host, Port: port}
	if err := u.parseQuery(query); err != nil {
		return URL{}, err
	}
	// The URL is kept in its rendered form, where the stream id is
	// %-escaped (up to three times longer): the limit holds for it too,
	// so that what Parse accepts parses again.
	if n := len(u.String()); n > MaxURLLength {
		return URL{}, fail("longer than %d characters once %%-escaped (%d)", MaxURLLength, n)
	}
	return u, u.Validate()
}

func (u *URL) parseQuery(query string) error {
	if query == "" {
		return nil
	}
	values, err := url.ParseQuery(query)
	if err != nil {
		return fail("bad query (check %%-escapes): %s", redactQueryErr(err))
	}
	// Keys are case-insensitive: the same option twice in two spellings
	// would make the one that counts depend on map order, and twice in
	// one spelling would silently keep the last.
	seen := make(map[string]bool, len(values))
	for key, vals := range values {
		k := strings.ToLower(key)
		if seen[k] || len(vals) > 1 {
			return fail("option %q given twice", shorten(k))
		}
		seen[k] = true
	}
	for key, vals := range values {
		v := vals[len(vals)-1]
		if err := u.set(strings.ToLower(key), v); err != nil {
			return err
		}
	}
	return nil
}

// redactQueryErr drops the offending text, which may be the passphrase.
func redactQueryErr(err error) string {
	var ee url.EscapeError
	if errors.As(err, &ee) {
		return "invalid %-escape"
	}
	return "invalid query"
}

func (u *URL) set(key, v string) error {
	switch key {
	case "streamid":
		u.StreamID = v
	case "passphrase":
		u.Passphrase = v
	case "latency":
		us, err := strconv.ParseInt(v, 10, 64)
		if err != nil || us < 0 {
			return fail("latency=%s: want microseconds, as in ffmpeg (latency=200000 is 200 ms)", shorten(v))
		}
		if us > 0 && us < 1000 {
			return fail("latency=%d is in microseconds, as in ffmpeg and OBS: for %d ms write latency=%d", us, us, us*1000)
		}
		if us > MaxLatency.Microseconds() {
			// Checked before the conversion: a huge count of microseconds
			// overflows time.Duration and could wrap into the range.
			return fail("latency %d µs out of range %v-%v", us, MinLatency, MaxLatency)
		}
		u.Latency = time.Duration(us) * time.Microsecond
	case "pbkeylen":
		n, err := strconv.Atoi(v)
		if err != nil || (n != 0 && n != 16 && n != 24 && n != 32) {
			return fail("pbkeylen=%s: want 16, 24 or 32", shorten(v))
		}
		u.KeyLength = n
	case "mode":
		if v != "caller" && v != "" {
			return fail("mode=%s: GoLive connects as the caller; the server must be the listener", shorten(v))
		}
	case "transtype":
		if v != "live" {
			return fail("transtype=%s: only live is supported", shorten(v))
		}
	case "pkt_size", "payload_size", "payloadsize":
		if v != strconv.Itoa(PayloadSize) {
			return fail("%s=%s: only %d (7 MPEG-TS packets) is supported", key, shorten(v), PayloadSize)
		}
	default:
		return fail("unknown option %q (known: streamid, passphrase, latency, pbkeylen, mode)", shorten(key))
	}
	return nil
}

// Validate checks the values (also those not set through Parse).
func (u URL) Validate() error {
	if len(u.StreamID) > MaxStreamIDLength {
		return fail("streamid longer than %d bytes", MaxStreamIDLength)
	}
	if strings.ContainsFunc(u.StreamID, unicode.IsControl) {
		return fail("streamid contains control characters")
	}
	if n := len(u.Passphrase); n != 0 && (n < MinPassphrase || n > MaxPassphrase) {
		return fail("passphrase must be %d to %d characters (it has %d)", MinPassphrase, MaxPassphrase, n)
	}
	if u.Latency != 0 && (u.Latency < MinLatency || u.Latency > MaxLatency) {
		return fail("latency %v out of range %v-%v", u.Latency, MinLatency, MaxLatency)
	}
	return nil
}

// Address is HOST:PORT.
func (u URL) Address() string { return net.JoinHostPort(u.Host, strconv.Itoa(u.Port)) }

// String renders the URL without the passphrase (which is kept apart, as
// a stream key is).
func (u URL) String() string {
	s := "srt://" + u.Address()
	q := url.Values{}
	if u.StreamID != "" {
		q.Set("streamid", u.StreamID)
	}
	if u.Latency != 0 {
		q.Set("latency", strconv.FormatInt(u.Latency.Microseconds(), 10))
	}
	if u.KeyLength != 0 {
		q.Set("pbkeylen", strconv.Itoa(u.KeyLength))
	}
	if len(q) > 0 {
		s += "?" + q.Encode()
	}
	return s
}

func shorten(s string) string {
	r := []rune(s)
	if len(r) > 40 {
		return string(r[:39]) + "…"
	}
	return s
}
