package rtptarget

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// maxTargetLen bounds what Parse reads: a target is a host, a port and a
// few options.
const maxTargetLen = 4096

// Parse parses the command line syntax of an RTP target:
//
//	HOST:PORT[?mode=mpegts|native&mtu=1200&srtp=1&sdp=FILE&ttl=N&rtcpmux=1&name=NAME]
//
// srtp=vlc turns on SRTP in the variant VLC 3.0 decrypts (SRTPRCC).
// HOST may be an IPv6 literal in brackets ([::1]:5004). An optional rtp://
// prefix is accepted. The result is validated; Mode is filled, the other
// defaults are left to the sender.
func Parse(s string) (Config, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "rtp://")
	if s == "" {
		return Config{}, errors.New("rtp target: empty (want HOST:PORT)")
	}
	if len(s) > maxTargetLen {
		return Config{}, fmt.Errorf("rtp target: %d characters, longer than %d", len(s), maxTargetLen)
	}
	addr, query, _ := strings.Cut(s, "?")
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		reason := err.Error()
		var ae *net.AddrError
		if errors.As(err, &ae) {
			reason = ae.Err // without the address, quoted below
		}
		return Config{}, fmt.Errorf("rtp target %s: want HOST:PORT or [IPv6]:PORT: %s", quote(addr), reason)
	}
	if host == "" {
		return Config{}, fmt.Errorf("rtp target %s: missing host", quote(addr))
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return Config{}, fmt.Errorf("rtp target %s: bad port %s: not a number", quote(addr), quote(portStr))
	}
	c := Config{Host: host, Port: port, Mode: ModeMPEGTS}
	if err := c.parseQuery(query); err != nil {
		return Config{}, err
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

func (c *Config) parseQuery(query string) error {
	if query == "" {
		return nil
	}
	values, err := url.ParseQuery(query)
	if err != nil {
		return fmt.Errorf("rtp target: bad options %s: %w", quote(query), err)
	}
	for key, vals := range values {
		if len(vals) > 1 { // which one counts would be a guess
			return fmt.Errorf("rtp target: option %s given %d times (keep one)", quote(key), len(vals))
		}
		if err := c.setOption(key, vals[0]); err != nil {
			return err
		}
	}
	return nil
}

func (c *Config) setOption(key, v string) error {
	var err error
	switch key {
	case "mode":
		c.Mode = strings.ToLower(v)
		if c.Mode != ModeMPEGTS && c.Mode != ModeNative {
			return fmt.Errorf("rtp target: unknown mode %s (want mpegts or native)", quote(v))
		}
	case "mtu":
		c.MTU, err = parseInt(key, v)
		if err == nil && (c.MTU < MinMTU || c.MTU > MaxMTU) {
			err = fmt.Errorf("rtp target: mtu %d out of range %d-%d", c.MTU, MinMTU, MaxMTU)
		}
	case "ttl":
		c.TTL, err = parseInt(key, v)
		if err == nil && (c.TTL < 1 || c.TTL > 255) {
			err = fmt.Errorf("rtp target: ttl %d out of range 1-255", c.TTL)
		}
	case "srtp":
		if strings.EqualFold(v, "vlc") {
			c.SRTP, c.SRTPRCC = true, true
			return nil
		}
		c.SRTP, err = parseBool(key, v)
	case "rtcpmux":
		c.RTCPMux, err = parseBool(key, v)
	case "sdp":
		if v == "" {
			return errors.New("rtp target: sdp= needs a file path")
		}
		c.SDPPath = v
	case "name":
		c.Name = v
	default:
		return fmt.Errorf("rtp target: unknown option %s (known: mode, mtu, srtp, sdp, ttl, rtcpmux, name)", quote(key))
	}
	return err
}

func parseInt(key, v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("rtp target: %s=%s is not a number", key, quote(v))
	}
	return n, nil
}

func parseBool(key, v string) (bool, error) {
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on", "":
		return true, nil
	case "0", "false", "no", "off":
		return false, nil
	}
	if key == "srtp" {
		return false, fmt.Errorf("rtp target: srtp=%s: want 1, 0 or vlc", quote(v))
	}
	return false, fmt.Errorf("rtp target: %s=%s: want 1 or 0", key, quote(v))
}

// quote quotes s for an error message, cut to 64 bytes.
func quote(s string) string {
	if len(s) > 64 {
		return strconv.Quote(s[:64]) + "..."
	}
	return strconv.Quote(s)
}
