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
func NewTarget(c rtptarget.Config) *Target {
	return &Target{Name: c.Name, Host: c.Host, Port: c.Port, Mode: c.Mode, MTU: c.MTU, TTL: c.TTL,
		RTCPMux: c.RTCPMux, SRTP: c.SRTP, SRTPRCC: c.SRTPRCC, SDPPath: c.SDPPath}
}

// Config returns the target's settings.
func (t *Target) Config() rtptarget.Config {
	return rtptarget.Config{Name: t.Name, Host: t.Host, Port: t.Port, Mode: t.Mode, MTU: t.MTU, TTL: t.TTL,
		RTCPMux: t.RTCPMux, SRTP: t.SRTP, SRTPRCC: t.SRTPRCC, SDPPath: t.SDPPath}
}

// DefaultSDPPath is where a target's SDP goes when none is configured
// (rtptarget.DefaultSDPPath).
func DefaultSDPPath(host string, port int) string { return rtptarget.DefaultSDPPath(host, port) }
