package rtmp

import "golive/outputs/rtmpurl"

// The publishing URL is parsed by outputs/rtmpurl (pure Go, shared with the
// profile store); these names keep the package's API in one place.
const (
	DefaultPortRTMP  = rtmpurl.DefaultPortRTMP
	DefaultPortRTMPS = rtmpurl.DefaultPortRTMPS
)

type (
	// Endpoint is a validated RTMP or RTMPS publishing address.
	Endpoint = rtmpurl.Endpoint
	// URLError is a malformed URL or stream key; it never contains the key.
	URLError = rtmpurl.URLError
)

// ErrInvalidURL matches every URLError with errors.Is.
var ErrInvalidURL = rtmpurl.ErrInvalidURL

// ParseURL validates an RTMP or RTMPS URL and stream key without dialling
// (rtmpurl.ParseURL).
func ParseURL(raw, key string) (*Endpoint, error) { return rtmpurl.ParseURL(raw, key) }

// MaskKey hides a stream key for display.
func MaskKey(key string) string { return rtmpurl.MaskKey(key) }
