package ui

import (
	"encoding/json"
	"fmt"
	"strings"

	"golive/app/profile"
	"golive/app/secret"
	"golive/outputs/srturl"
)

// srtTarget is an SRT destination's listener URL without its passphrase
// (which the row never shows, masked or not).
func srtTarget(r *profile.SRT) string {
	t := secret.RedactURL(r.URL)
	if u, err := srturl.Parse(r.URL); err == nil {
		t = u.String() // String leaves the passphrase out
	}
	if r.Key != "" {
		t += " (encrypted)"
	}
	return t
}

// protoFigures is the short line of an SRT or WHIP destination's own
// figures from its stats detail: round trip, the bandwidth estimate and
// the NACKs (retransmission requests) so far. Figures the detail lacks
// are left out.
func protoFigures(kind string, detail map[string]any) string {
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
	if v, ok := number(detail["nacks"]); ok {
		parts = append(parts, fmt.Sprintf("%.0f NACKs", v))
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
