package rtp

import "golive/outputs/rtptarget"

// ParseTarget parses the command line syntax of an RTP target
// (rtptarget.Parse, shared with the profile store):
//
//	HOST:PORT[?mode=mpegts|native&mtu=1200&srtp=1&sdp=FILE&ttl=N&rtcpmux=1]
//
// The returned target is validated; defaults are filled when it runs.
func ParseTarget(s string) (*Target, error) {
	c, err := rtptarget.Parse(s)
	if err != nil {
		return nil, err
	}
	return NewTarget(c), nil
}

// NewTarget makes a target from its configuration.
func NewTarget(c rtptarget.Config) *Target { return &Target{Config: c} }

// DefaultSDPPath is where a target's SDP goes when none is configured
// (rtptarget.DefaultSDPPath).
func DefaultSDPPath(host string, port int) string { return rtptarget.DefaultSDPPath(host, port) }
