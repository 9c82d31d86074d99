// Package rtptarget parses and validates the configuration of an RTP
// target (the --rtp HOST:PORT[?options] syntax and the profile's RTP
// settings). It is pure Go with no dependency beyond the standard library:
// the profile store validates RTP destinations with it, and outputs/rtp
// builds its sender from the same Config.
package rtptarget

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Payload modes: MPEG-TS over RTP (RFC 2250, payload type 33) or H.264
// (RFC 6184) or HEVC (RFC 7798) and Opus (RFC 7587) described by an SDP.
const (
	ModeMPEGTS = "mpegts"
	ModeNative = "native"
)

// MTU limits (the largest UDP payload sent).
const (
	DefaultMTU = 1200
	MinMTU     = 256
	MaxMTU     = 9000
)

// Config is one RTP target's settings.
type Config struct {
	// Name identifies the target in logs and stats (default HOST:PORT).
	Name string
	// Host is an IPv4 or IPv6 address or a host name, unicast or multicast.
	Host string
	// Port is the RTP port of the (video) stream. Its RTCP goes to Port+1;
	// in native mode audio uses Port+2 (RTCP Port+3).
	Port int
	// Mode is ModeMPEGTS (default when empty) or ModeNative.
	Mode string
	// MTU is the largest UDP payload sent; zero picks the mode's default.
	MTU int
	// TTL is the multicast TTL (or unicast hop limit) when non-zero.
	TTL int
	// RTCPMux sends RTCP on the RTP port (RFC 5761) instead of port+1.
	RTCPMux bool
	// SRTP encrypts with AES_CM_128_HMAC_SHA1_80; the key is in the SDP.
	SRTP bool
	// SRTPRCC (with SRTP) carries the roll-over counter in every packet
	// (RFC 4771), the variant VLC 3.0 decrypts.
	SRTPRCC bool
	// SDPPath is where the SDP is written (default: DefaultSDPPath).
	SDPPath string
}

// Validate checks the fields without changing them.
func (c Config) Validate() error {
	if c.Host == "" {
		return errors.New("rtp target: missing host")
	}
	if c.Port < 1 || c.Port > 65535 {
		return fmt.Errorf("rtp target: port %d out of range 1-65535", c.Port)
	}
	if c.Mode == ModeNative && c.Port+3 > 65535 {
		return fmt.Errorf("rtp target: port %d too high: native mode needs ports up to port+3", c.Port)
	}
	if c.Port+1 > 65535 {
		return fmt.Errorf("rtp target: port %d too high: RTCP needs port+1", c.Port)
	}
	switch c.Mode {
	case "", ModeMPEGTS, ModeNative:
	default:
		return fmt.Errorf("rtp target: unknown mode %q (want mpegts or native)", c.Mode)
	}
	if c.MTU != 0 && (c.MTU < MinMTU || c.MTU > MaxMTU) {
		return fmt.Errorf("rtp target: mtu %d out of range %d-%d", c.MTU, MinMTU, MaxMTU)
	}
	if c.TTL < 0 || c.TTL > 255 {
		return fmt.Errorf("rtp target: ttl %d out of range 0-255", c.TTL)
	}
	return nil
}

// Addr is HOST:PORT ([IPv6] in brackets), the default name.
func (c Config) Addr() string {
	return net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
}

// VLCURL is what a player opens to receive the target's RTP:
// rtp://@HOST:PORT ([IPv6] in brackets). VLC plays it directly in mpegts
// mode; in native mode open the SDP (SDPFile) instead.
func (c Config) VLCURL() string {
	return "rtp://@" + c.Addr()
}

// SDPFile is the path the SDP is (or will be) written to.
func (c Config) SDPFile() string {
	if c.SDPPath != "" {
		return c.SDPPath
	}
	return DefaultSDPPath(c.Host, c.Port)
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
