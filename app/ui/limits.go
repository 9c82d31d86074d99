package ui

import (
	"fmt"
	"strings"

	"golive/app/profile"
	"golive/outputs/rtmp"
)

// Service limits where the user types: the destination dialog and the
// row show the service's published limits and how the current encoder
// settings compare, before Go Live.

// servicePreset returns the rtmp preset of an RTMP destination's service
// (YouTube's RTMPS one for an rtmps:// URL); false for a custom server.
func destPreset(d profile.Destination) (rtmp.Preset, bool) {
	if d.RTMP == nil {
		return rtmp.Preset{}, false
	}
	p, ok := rtmp.PresetByID(strings.ToLower(d.RTMP.Service))
	if !ok || p.ID == rtmp.PresetCustom {
		return rtmp.Preset{}, false
	}
	if p.ID == rtmp.PresetYouTube && rtmpType(d.RTMP.URL) == typeRTMPS {
		p, _ = rtmp.PresetByID(rtmp.PresetYouTubeRTMPS)
	}
	return p, true
}

// limitsText states a service's limits in one sentence; "" for custom.
func limitsText(d profile.Destination) string {
	p, ok := destPreset(d)
	if !ok {
		return ""
	}
	return fmt.Sprintf("%s accepts up to %d kb/s video and %d kb/s audio, %dx%d at %d fps, a key frame at least every %v.",
		serviceName(d), p.MaxVideoBitrate/1000, p.MaxAudioBitrate/1000, p.MaxWidth, p.MaxHeight, p.MaxFPS,
		p.MaxKeyframeInterval)
}

// limitProblems compares the current encoder settings with d's service.
func (w *mainWindow) limitProblems(d profile.Destination) []string {
	if _, ok := destPreset(d); !ok {
		return nil
	}
	d.Enabled = true
	p := w.prof.Clone()
	p.Destinations = []profile.Destination{d}
	problems := dedupe(w.engine.Check(p))
	// The dialog and the row already name the destination: its name
	// again in front of each problem read "Twitch: Twitch: …".
	for i, s := range problems {
		problems[i] = strings.TrimPrefix(s, d.Name+": ")
	}
	return problems
}

// showLimits shows the service's limits and what exceeds them now.
func (dd *destDialog) showLimits() {
	if dd.limits == nil {
		return
	}
	d := dd.current()
	text := limitsText(d)
	problems := dd.w.limitProblems(d)
	lv := levelNormal
	if len(problems) > 0 {
		where := "the Encoder panel"
		if !d.Video.IsZero() {
			where = "this destination's video settings below"
		}
		text += "\nWith the current encoder settings: " + strings.Join(problems, "; ") +
			". Lower them in " + where + "."
		lv = levelWarning
	}
	setLabel(dd.limits, text, lv)
	setVisible(dd.limits, text != "")
}
