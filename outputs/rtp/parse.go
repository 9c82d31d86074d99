package rtp

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ParseTarget parses the command line syntax of an RTP target:
//
//	HOST:PORT[?mode=mpegts|native&mtu=1200&srtp=1&sdp=FILE&ttl=N&rtcpmux=1]
//
// srtp=vlc turns on SRTP in the variant VLC 3.0 decrypts (SRTPRCC).
// HOST may be an IPv6 literal in brackets ([::1]:5004). An optional rtp://
// prefix is accepted. The returned target is validated; defaults are filled
// when it runs.
func ParseTarget(s string) (*Target, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "rtp://")
	if s == "" {
		return nil, errors.New("rtp target: empty (want HOST:PORT)")
	}
	addr, query, _ := strings.Cut(s, "?")
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("rtp target %q: want HOST:PORT or [IPv6]:PORT: %w", addr, err)
	}
	if host == "" {
		return nil, fmt.Errorf("rtp target %q: missing host", addr)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, fmt.Errorf("rtp target %q: bad port %q: not a number", addr, portStr)
	}
	t := &Target{Host: host, Port: port, Mode: ModeMPEGTS}
	if err := t.parseQuery(query); err != nil {
		return nil, err
	}
	if err := t.validate(); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *Target) parseQuery(query string) error {
	if query == "" {
		return nil
	}
	values, err := url.ParseQuery(query)
	if err != nil {
		return fmt.Errorf("rtp target: bad options %q: %w", query, err)
	}
	for key, vals := range values {
		v := vals[len(vals)-1]
		if err := t.setOption(key, v); err != nil {
			return err
		}
	}
	return nil
}

func (t *Target) setOption(key, v string) error {
	var err error
	switch key {
	case "mode":
		t.Mode = strings.ToLower(v)
		if t.Mode != ModeMPEGTS && t.Mode != ModeNative {
			return fmt.Errorf("rtp target: unknown mode %q (want mpegts or native)", v)
		}
	case "mtu":
		t.MTU, err = parseInt(key, v)
		if err == nil && (t.MTU < MinMTU || t.MTU > MaxMTU) {
			err = fmt.Errorf("rtp target: mtu %d out of range %d-%d", t.MTU, MinMTU, MaxMTU)
		}
	case "ttl":
		t.TTL, err = parseInt(key, v)
		if err == nil && (t.TTL < 1 || t.TTL > 255) {
			err = fmt.Errorf("rtp target: ttl %d out of range 1-255", t.TTL)
		}
	case "srtp":
		if strings.EqualFold(v, "vlc") {
			t.SRTP, t.SRTPRCC = true, true
			return nil
		}
		t.SRTP, err = parseBool(key, v)
	case "rtcpmux":
		t.RTCPMux, err = parseBool(key, v)
	case "sdp":
		if v == "" {
			return errors.New("rtp target: sdp= needs a file path")
		}
		t.SDPPath = v
	case "name":
		t.Name = v
	default:
		return fmt.Errorf("rtp target: unknown option %q (known: mode, mtu, srtp, sdp, ttl, rtcpmux, name)", key)
	}
	return err
}

func parseInt(key, v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("rtp target: %s=%q is not a number", key, v)
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
		return false, fmt.Errorf("rtp target: srtp=%q: want 1, 0 or vlc", v)
	}
	return false, fmt.Errorf("rtp target: %s=%q: want 1 or 0", key, v)
}

// DefaultSDPPath is where a target's SDP goes when none is configured:
// os.TempDir()/golive-rtp-HOST-PORT.sdp (IPv6 colons become dashes).
func DefaultSDPPath(host string, port int) string {
	clean := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-':
			return r
		}
		return '-'
	}, host)
	return filepath.Join(os.TempDir(), fmt.Sprintf("golive-rtp-%s-%d.sdp", clean, port))
}
