package ui

import (
	"fmt"
	"math"
	"net"
	"strconv"
	"strings"

	"golive/app/profile"
	"golive/app/secret"
)

// level is how worrying a figure is; it maps to a label's importance.
type level int

const (
	levelNormal level = iota
	levelGood
	levelWarning
	levelDanger
)

// Thresholds of skipped and dropped frames, as OBS colours them.
const (
	warnRatio   = 0.01
	dangerRatio = 0.05
)

// formatBitrate prints a bitrate in kb/s or Mb/s.
func formatBitrate(kbps float64) string {
	switch {
	case kbps <= 0:
		return "0 kb/s"
	case kbps >= 1000:
		return fmt.Sprintf("%.2f Mb/s", kbps/1000)
	default:
		return fmt.Sprintf("%.0f kb/s", kbps)
	}
}

// formatElapsed prints seconds as HH:MM:SS.
func formatElapsed(s float64) string {
	if s < 0 || math.IsNaN(s) {
		s = 0
	}
	t := int(s)
	return fmt.Sprintf("%02d:%02d:%02d", t/3600, t/60%60, t%60)
}

// ratioLevel colours a count of lost frames out of total: over 1% is a
// warning, over 5% is danger.
func ratioLevel(lost, total uint64) level {
	if total == 0 || lost == 0 {
		return levelNormal
	}
	r := float64(lost) / float64(total)
	switch {
	case r > dangerRatio:
		return levelDanger
	case r > warnRatio:
		return levelWarning
	default:
		return levelNormal
	}
}

// formatRatio prints "N (x.x%)".
func formatRatio(lost, total uint64) string {
	if total == 0 {
		return fmt.Sprintf("%d (0.0%%)", lost)
	}
	return fmt.Sprintf("%d (%.1f%%)", lost, 100*float64(lost)/float64(total))
}

// targetText describes where a destination sends, with the key masked.
func targetText(d profile.Destination) string {
	switch {
	case d.RTMP != nil:
		u := secret.RedactURL(strings.TrimRight(d.RTMP.URL, "/"))
		if d.RTMP.Key == "" {
			return u
		}
		return u + "/" + secret.Mask(d.RTMP.Key)
	case d.RTP != nil:
		t := "rtp://" + net.JoinHostPort(d.RTP.Host, strconv.Itoa(d.RTP.Port))
		if d.RTP.SRTP {
			t += " (SRTP)"
		}
		return t
	case d.Record != nil:
		return d.Record.Path
	case d.SRT != nil:
		return srtTarget(d.SRT)
	case d.WHIP != nil:
		t := secret.RedactURL(d.WHIP.URL)
		if d.WHIP.Key != "" {
			t += " (token)"
		}
		return t
	}
	return ""
}

// kindLabel is the human name of a destination's type.
func kindLabel(d profile.Destination) string {
	switch d.Kind {
	case "rtmp":
		if d.RTMP != nil && strings.HasPrefix(strings.ToLower(d.RTMP.URL), "rtmps://") {
			return "RTMPS"
		}
		return "RTMP"
	case "rtp":
		return "RTP"
	case "record":
		return "Record"
	case profile.KindSRT:
		return "SRT"
	case profile.KindWHIP:
		return "WHIP"
	}
	return d.Kind
}

// meterFraction maps a level in dBFS to 0..1 over a -60..0 dB scale.
func meterFraction(db float64) float64 {
	const floor = -60.0
	if math.IsNaN(db) || db <= floor {
		return 0
	}
	if db >= 0 {
		return 1
	}
	return (db - floor) / -floor
}
