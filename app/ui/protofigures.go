package ui

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"golive/app/profile"
	"golive/outputs/srturl"
	"golive/outputs/whipurl"
)

// srtTarget is an SRT destination's listener URL without its passphrase
// (which the row never shows, masked or not) and with a stream id's
// secrets masked.
func srtTarget(r *profile.SRT) string {
	t := r.DisplayURL()
	if r.Key != "" {
		t += " (encrypted)"
	}
	return t
}

// protoFigures is the short line of an SRT or WHIP destination's own
// figures from its stats detail: round trip, the bandwidth estimate, the
// NACKs (retransmission requests), packets sent again and packets lost so
// far, and SRT's send buffer. Figures the detail lacks
// are left out. For a recording it names the file actually written,
// which differs from the one asked for when that name was taken.
func protoFigures(kind string, detail map[string]any) string {
	if kind == profile.KindRecord {
		if f, ok := detail["file"].(string); ok && f != "" {
			return "writing " + filepath.Base(f)
		}
		return ""
	}
	if kind != profile.KindSRT && kind != profile.KindWHIP {
		return ""
	}
	var parts []string
	if v, ok := number(detail["rtt_ms"]); ok {
		parts = append(parts, fmt.Sprintf("RTT %.0f ms", v))
	}
	if v, ok := number(detail["estimate_kbps"]); ok && v > 0 {
		parts = append(parts, "estimate "+formatBitrate(v))
	}
	var loss []string
	if v, ok := number(detail["nacks"]); ok {
		loss = append(loss, fmt.Sprintf("%.0f NACKs", v))
	}
	if v, ok := number(detail["retransmitted"]); ok {
		loss = append(loss, fmt.Sprintf("%.0f resent", v))
	}
	if v, ok := number(detail["lost"]); ok {
		loss = append(loss, fmt.Sprintf("%.0f lost", v))
	}
	if len(loss) > 0 {
		parts = append(parts, strings.Join(loss, ", "))
	}
	if v, ok := number(detail["send_buffer_ms"]); ok {
		parts = append(parts, fmt.Sprintf("send buffer %.0f ms", v))
	}
	return strings.Join(parts, " · ")
}

// number reads a figure of a stats detail, whatever numeric type the
// output used (or JSON gave).
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint64:
		return float64(x), true
	case uint32:
		return float64(x), true
	case int32:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}

// srtWHIPHost is the host of an SRT listener or a WHIP endpoint.
func srtWHIPHost(d profile.Destination) string {
	switch {
	case d.SRT != nil:
		if u, err := srturl.Parse(d.SRT.URL); err == nil {
			return u.Host
		}
	case d.WHIP != nil:
		if u, err := whipurl.Parse(d.WHIP.URL); err == nil {
			return u.Hostname()
		}
	}
	return ""
}

// explainSRTWHIP words the refusals of an SRT listener or a WHIP endpoint
// (see outputs/srt and outputs/whip for the errors' text).
func explainSRTWHIP(d profile.Destination, raw, host string) (problem, bool) {
	var format string
	switch {
	case d.Kind != profile.KindSRT && d.Kind != profile.KindWHIP:
		return problem{}, false
	case strings.Contains(raw, "wrong passphrase"):
		format = "%s could not decrypt the stream with this passphrase: check it, then edit this destination."
	case strings.Contains(raw, "requires a passphrase"):
		format = "%s requires a passphrase: edit this destination to add it."
	case strings.Contains(raw, "does not use encryption"):
		format = "%s does not use encryption: edit this destination and clear its passphrase."
	case strings.Contains(raw, "stream id refused"):
		format = "%s refused the stream id: check the streamid in the URL."
	case strings.Contains(raw, "401 unauthorized"):
		format = "%s refused the bearer token: check it, then edit this destination."
	case strings.Contains(raw, "403 forbidden"):
		format = "%s does not let this token publish here: check the token and the URL."
	case strings.Contains(raw, "404 not found"):
		format = "%s has no WHIP endpoint at this URL: check the URL."
	case strings.Contains(raw, "no srt listener answered"):
		format = "no SRT listener answered at %s: is it started, and the port right? GoLive retries on its own."
	case strings.Contains(raw, "ice found") || strings.Contains(raw, "ice failed") ||
		strings.Contains(raw, "dtls handshake"):
		format = "no media path to %s (UDP blocked or its addresses unreachable). GoLive retries on its own."
	default:
		return problem{}, false
	}
	return problem{Message: d.Name + ": " + fmt.Sprintf(format, host)}, true
}
