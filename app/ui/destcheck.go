package ui

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/layout"

	"golive/app/profile"
	"golive/outputs/rtmp"
	"golive/outputs/rtmpurl"
)

// servicePreset is a streaming service's ingest servers.
type servicePreset struct {
	Label, ID   string
	RTMP, RTMPS string
}

// servicePresets are the services the dialog knows; Custom leaves the
// server to the user. Facebook and Kick accept RTMPS only.
var servicePresets = []servicePreset{
	{"YouTube", "youtube", "rtmp://a.rtmp.youtube.com/live2", "rtmps://a.rtmps.youtube.com:443/live2"},
	{"Twitch", "twitch", "rtmp://live.twitch.tv/app", "rtmps://live.twitch.tv:443/app"},
	{"Facebook", "facebook", "", "rtmps://live-api-s.facebook.com:443/rtmp"},
	{"Kick", "kick", "", "rtmps://fa723fc1b171.global-contribute.live-video.net:443/app"},
	{"Custom", "custom", "", ""},
}

func serviceLabels() []string {
	out := make([]string, len(servicePresets))
	for i, p := range servicePresets {
		out[i] = p.Label
	}
	return out
}

func presetByLabel(label string) (servicePreset, bool) {
	for _, p := range servicePresets {
		if p.Label == label {
			return p, true
		}
	}
	return servicePreset{}, false
}

// serviceLabel maps a profile's service id to its label (Custom when
// unknown).
func serviceLabel(id string) string {
	for _, p := range servicePresets {
		if p.ID == strings.ToLower(id) {
			return p.Label
		}
	}
	return "Custom"
}

// current builds the destination the fields describe.
func (dd *destDialog) current() profile.Destination {
	d := dd.orig.Clone()
	d.Name = dd.nameOrDefault()
	d.Kind = kindOf(dd.kind.Selected)
	if dd.index < 0 {
		d.Enabled = true
	}
	d.RTMP, d.RTP, d.Record, d.SRT, d.WHIP = nil, nil, nil, nil, nil
	switch d.Kind {
	case profile.KindRTMP:
		r := profile.RTMP{}
		if dd.orig.RTMP != nil {
			r = *dd.orig.RTMP
		}
		p, _ := presetByLabel(dd.service.Selected)
		r.Service = p.ID
		r.URL = strings.TrimSpace(dd.server.Text)
		r.Key = strings.TrimSpace(dd.key.Text)
		r.CAFile, r.PinSHA256 = "", ""
		if rtmpType(r.URL) == typeRTMPS {
			r.CAFile = strings.TrimSpace(dd.caFile.Text)
			r.PinSHA256 = strings.TrimSpace(dd.pin.Text)
		}
		d.RTMP = &r
	case profile.KindRTP:
		r := profile.RTP{Mode: "mpegts"}
		if dd.orig.RTP != nil {
			r = *dd.orig.RTP
		}
		r.Host = strings.TrimSpace(dd.host.Text)
		r.Port, _ = strconv.Atoi(strings.TrimSpace(dd.port.Text))
		r.MTU, _ = strconv.Atoi(strings.TrimSpace(dd.mtu.Text))
		r.SRTP = dd.srtp.Checked
		d.RTP = &r
	case profile.KindRecord:
		r := profile.Record{}
		if dd.orig.Record != nil {
			r = *dd.orig.Record
		}
		r.Path = strings.TrimSpace(dd.path.Text)
		d.Record = &r
	case profile.KindSRT:
		d.SRT = dd.currentSRT()
	case profile.KindWHIP:
		d.WHIP = dd.currentWHIP()
	}
	d.Video = dd.currentVideo(d.Name)
	return d
}

// check validates the fields, fills dd.errs by field and reports whether
// the destination can be saved.
func (dd *destDialog) check() (profile.Destination, bool) {
	d := dd.current()
	errs := map[string]string{}
	add := func(field, msg string) {
		if errs[field] == "" {
			errs[field] = msg
		}
	}
	dd.checkFields(d, add)
	dd.checkVideo(d, add)
	// The other destinations are there too: a fallback may name one.
	dests := slices.Clone(dd.w.prof.Destinations)
	at := dd.index
	if at < 0 || at >= len(dests) {
		at, dests = len(dests), append(dests, d)
	} else {
		dests[at] = d
	}
	p := profile.Profile{Name: "check", Capture: dd.w.prof.Capture, Encoder: dd.w.prof.Encoder, Destinations: dests}
	for _, fe := range profile.FieldErrors(p.Validate()) {
		// checkVideo: field by field; a name in use: below.
		dup := fe.Field == "name" && strings.HasPrefix(fe.Message, "duplicate")
		if fe.Dest == at && fe.Field != "video" && !dup {
			add(fe.Field, fe.Message)
		}
	}
	for j, o := range dd.w.prof.Destinations {
		if j != dd.index && strings.EqualFold(o.Name, d.Name) {
			add("name", fmt.Sprintf("another destination is already named %q", o.Name))
		}
	}
	dd.errs = errs
	return d, len(errs) == 0
}

// checkFields adds what the profile cannot know: text that is not a
// number, and the RTMP URL as the RTMP client will parse it.
func (dd *destDialog) checkFields(d profile.Destination, add func(field, msg string)) {
	switch d.Kind {
	case profile.KindRTMP:
		checkRTMP(dd.kind.Selected, d.RTMP, add)
		if p := d.RTMP.PinSHA256; p != "" {
			if _, err := rtmp.ParsePin(p); err != nil {
				add("rtmp.pin", "a SHA-256 fingerprint is 64 hex digits (colons allowed)")
			}
		}
	case profile.KindRTP:
		if _, err := strconv.Atoi(strings.TrimSpace(dd.port.Text)); err != nil {
			add("rtp.port", "port must be a number from 1 to 65535")
		}
		if t := strings.TrimSpace(dd.mtu.Text); t != "" {
			if _, err := strconv.Atoi(t); err != nil {
				add("rtp.mtu", fmt.Sprintf("MTU must be a number from %d to %d, or empty", profile.MinRTPMTU, profile.MaxRTPMTU))
			}
		}
	case profile.KindRecord:
		if d.Record.Path == "" {
			add("record.path", "choose the file to record to")
		}
	case profile.KindSRT:
		dd.checkSRT(d.SRT, add)
	case profile.KindWHIP:
		checkWHIP(d.WHIP, add)
	}
}

func checkRTMP(typ string, r *profile.RTMP, add func(field, msg string)) {
	scheme, _, _ := strings.Cut(strings.ToLower(r.URL), "://")
	switch {
	case typ == typeRTMPS && scheme == "rtmp":
		add("rtmp.url", "RTMPS needs an rtmps:// server URL")
	case typ == typeRTMP && scheme == "rtmps":
		add("rtmp.url", "this is an RTMPS server: choose the RTMPS type")
	}
	_, err := rtmpurl.ParseURL(r.URL, r.Key)
	var ue *rtmpurl.URLError
	switch {
	case err == nil:
	case errors.As(err, &ue) && strings.Contains(ue.Reason, "key"):
		add("rtmp.key", ue.Reason)
	case errors.As(err, &ue):
		add("rtmp.url", ue.Reason)
	default:
		add("rtmp.url", err.Error())
	}
}

// validate refreshes the inline messages and the Save button.
func (dd *destDialog) validate() {
	if dd.msg == nil || dd.save == nil {
		return
	}
	d, ok := dd.check()
	dd.showLimits()
	dd.showVideoNote(d)
	v := &dd.video
	for _, e := range []interface{ Validate() error }{dd.name, dd.server, dd.key, dd.caFile, dd.pin, dd.host, dd.port, dd.mtu, dd.path,
		dd.srt.url, dd.srt.key, dd.srt.latency, dd.whip.url, dd.whip.key,
		v.size, v.fps, v.rate, v.encoder, v.preset, v.fallback} {
		_ = e.Validate()
	}
	if ok {
		setLabel(dd.msg, "", levelNormal)
		dd.msg.Hide()
		dd.save.Enable()
		return
	}
	setLabel(dd.msg, dd.summary(), levelDanger)
	dd.msg.Show()
	dd.save.Disable()
}

// summary lists the problems, one a line, in a stable order.
func (dd *destDialog) summary() string {
	fields := make([]string, 0, len(dd.errs))
	for f := range dd.errs {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	lines := make([]string, len(fields))
	for i, f := range fields {
		msg, label := dd.errs[f], fieldLabel(f)
		if msg != "" && strings.HasPrefix(strings.ToLower(msg), strings.ToLower(label)) {
			// Capitalise the first letter, not the first byte: a message
			// may start with a multi-byte character.
			r, n := utf8.DecodeRuneInString(msg)
			lines[i] = string(unicode.ToUpper(r)) + msg[n:]
		} else {
			lines[i] = label + ": " + msg
		}
	}
	return strings.Join(lines, "\n")
}

// fieldLabels are the window's labels of profile fields.
var fieldLabels = map[string]string{
	"rtmp.url":              "Server",
	"rtmp.key":              "Stream key",
	"rtp.host":              "Host",
	"rtp.port":              "Port",
	"rtp.mtu":               "MTU",
	"record.path":           "File",
	"srt.url":               "URL",
	"whip.url":              "URL",
	"srt.key":               "Passphrase",
	"whip.key":              "Bearer token",
	"srt.latency":           "Latency",
	"name":                  "Name",
	"rtmp.ca_file":          "CA file",
	"rtmp.pin":              "Certificate pin",
	"capture.region":        "Region",
	"capture.source":        "Video source",
	"capture.audio":         "Audio",
	"encoder.video_bitrate": "Video kb/s",
	"encoder.audio_bitrate": "Audio kb/s",
	"encoder.fps":           "Frame rate",
	"encoder.width":         "Output size",
	"encoder.height":        "Output size",
	"encoder.encoder":       "Encoder",
	"encoder.preset":        "Preset",
	"video.size":            "Video size",
	"video.fps":             "Video frame rate",
	"video.video_bitrate":   "Video kb/s",
	"video.codec":           "Video codec",
	"video.encoder":         "Video encoder",
	"video.preset":          "Video preset",
	"video.layout":          "Video layout",
	"video.adaptive":        "Adaptive bitrate",
	"video.fallback":        "Fallback",
}

// fieldLabel is the label of a profile field (the field itself when the
// window has none).
func fieldLabel(field string) string {
	if l, ok := fieldLabels[field]; ok {
		return l
	}
	return field
}

func layoutSpacer() fyne.CanvasObject { return layout.NewSpacer() }
