package ui

import (
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"golive/app/profile"
	"golive/app/session"
)

// The destination dialog's video: "Video: same as main / custom". Custom
// shows the destination's rendition fields (profile.Video, the fields of
// `golive profile set P dest.NAME.FIELD=...`); an empty field means "same
// as the profile". Each field is checked as typed with the parsers the
// profile uses, and a codec the service refuses is refused here.

// Choices of the video mode.
const (
	videoSame   = "Same as main"
	videoCustom = "Custom"
)

// codecChoices are the codec labels, in profile.VideoCodecs' order.
var codecChoices = []string{"H.264", "HEVC", "AV1"}

// layoutChoices are the layout labels, in profile.Layouts' order.
var layoutChoices = []string{"Landscape", "Vertical (9:16)"}

// videoFields are the dialog's rendition fields.
type videoFields struct {
	mode                                       *widget.RadioGroup
	custom                                     fyne.CanvasObject
	size, fps, rate, encoder, preset, fallback *keyEntry
	codec, layout                              *widget.Select
	adaptive                                   *widget.Check
	// note says what saving does to the video while live.
	note *widget.Label
}

// videoText is one rendition field as typed: field is profile.VideoFields'
// name, text what SetVideoField takes, bad a message when the text is not
// even of the right form.
type videoText struct {
	field, text, bad string
}

func (dd *destDialog) buildVideo() fyne.CanvasObject {
	v := &dd.video
	v.mode = widget.NewRadioGroup([]string{videoSame, videoCustom}, func(string) { dd.onVideoMode() })
	v.mode.Horizontal = true
	v.mode.Required = true
	v.size = dd.entry("video.size", "")
	v.fps = dd.entry("video.fps", "")
	v.rate = dd.entry("video.video_bitrate", "")
	v.encoder = dd.entry("video.encoder", "")
	v.preset = dd.entry("video.preset", "")
	v.fallback = dd.entry("video.fallback", "none")
	v.codec = widget.NewSelect(codecChoices, func(string) { dd.validate() })
	v.layout = widget.NewSelect(layoutChoices, func(string) { dd.validate() })
	v.adaptive = widget.NewCheck("Adaptive bitrate", func(bool) { dd.validate() })
	left := widget.NewForm(widget.NewFormItem("Size", v.size), widget.NewFormItem("Frame rate", v.fps),
		widget.NewFormItem("Video kb/s", v.rate), widget.NewFormItem("Codec", v.codec),
		widget.NewFormItem("Layout", v.layout))
	right := widget.NewForm(widget.NewFormItem("Encoder", v.encoder), widget.NewFormItem("Preset", v.preset),
		widget.NewFormItem("Fallback", v.fallback), widget.NewFormItem("", v.adaptive))
	v.custom = container.NewGridWithColumns(2, left, right)
	v.custom.Hide()
	v.note = widget.NewLabel("")
	v.note.Wrapping = fyne.TextWrapWord
	v.note.Hide()
	return container.NewVBox(widget.NewForm(widget.NewFormItem("Video", v.mode)), v.custom, v.note)
}

// fillVideo shows d's rendition; placeholders say what "same" is.
func (dd *destDialog) fillVideo(d profile.Destination) {
	v, m := &dd.video, dd.w.prof.MainRendition()
	v.size.SetPlaceHolder(fmt.Sprintf("same: %dx%d", m.Width, m.Height))
	v.fps.SetPlaceHolder(fmt.Sprintf("same: %d", m.FPS))
	v.rate.SetPlaceHolder(fmt.Sprintf("same: %d", m.VideoBitrate/1000))
	v.encoder.SetPlaceHolder("same: " + m.Encoder)
	v.preset.SetPlaceHolder("same: " + m.Preset)
	x := profile.Video{}
	if d.Video != nil {
		x = *d.Video
	}
	v.size.SetText(ifSet(x.Width > 0, fmt.Sprintf("%dx%d", x.Width, x.Height)))
	v.fps.SetText(ifSet(x.FPS > 0, strconv.Itoa(x.FPS)))
	v.rate.SetText(ifSet(x.VideoBitrate > 0, strconv.Itoa(x.VideoBitrate/1000)))
	v.encoder.SetText(x.Encoder)
	v.preset.SetText(x.Preset)
	v.fallback.SetText(x.Fallback)
	v.codec.SetSelected(codecChoices[max(0, indexOf(profile.VideoCodecs, x.Codec))])
	v.layout.SetSelected(layoutChoices[max(0, indexOf(profile.Layouts, x.Layout))])
	v.adaptive.SetChecked(x.Adaptive == nil || *x.Adaptive)
	if d.Video.IsZero() {
		v.mode.SetSelected(videoSame)
	} else {
		v.mode.SetSelected(videoCustom)
	}
}

func ifSet(ok bool, s string) string {
	if ok {
		return s
	}
	return ""
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// onVideoMode shows the custom fields for Custom.
func (dd *destDialog) onVideoMode() {
	setVisible(dd.video.custom, dd.video.mode.Selected == videoCustom)
	dd.validate()
}

// videoTexts lists the rendition fields as typed; the main codec and
// layout (H.264, landscape) and adaptive on are "same as the profile".
func (dd *destDialog) videoTexts() []videoText {
	v := &dd.video
	out := []videoText{{field: "size", text: v.size.Text}}
	fps := videoText{field: "fps", text: strings.TrimSpace(v.fps.Text)}
	if _, err := strconv.Atoi(fps.text); fps.text != "" && err != nil {
		fps.bad = fmt.Sprintf("frame rate must be a whole number of frames per second (%d-%d), or empty for the main one",
			profile.MinFPS, profile.MaxFPS)
	}
	rate := videoText{field: "video_bitrate", text: strings.TrimSpace(v.rate.Text)}
	if kbps, err := strconv.Atoi(rate.text); rate.text != "" && err != nil {
		rate.bad = "enter the video bitrate in kb/s, a whole number, or leave it empty for the main one"
	} else if rate.text != "" {
		rate.text = strconv.Itoa(kbps) + "k"
	}
	codec := videoText{field: "codec"}
	if i := indexOf(codecChoices, v.codec.Selected); i > 0 {
		codec.text = profile.VideoCodecs[i]
	}
	layout := videoText{field: "layout"}
	if i := indexOf(layoutChoices, v.layout.Selected); i > 0 {
		layout.text = profile.Layouts[i]
	}
	adaptive := videoText{field: "adaptive"}
	if !v.adaptive.Checked {
		adaptive.text = "false"
	} else if o := dd.orig.Video; o != nil && o.Adaptive != nil && *o.Adaptive {
		adaptive.text = "true" // kept as the user set it
	}
	return append(out, fps, rate, codec, videoText{field: "encoder", text: v.encoder.Text},
		videoText{field: "preset", text: v.preset.Text}, layout, adaptive,
		videoText{field: "fallback", text: v.fallback.Text})
}

// currentVideo is the rendition the fields describe (nil: same as main).
// Fields that do not parse are left out; check reports them.
func (dd *destDialog) currentVideo(name string) *profile.Video {
	if dd.video.mode == nil || dd.video.mode.Selected != videoCustom {
		return nil
	}
	d := profile.Destination{Name: name}
	for _, f := range dd.videoTexts() {
		if f.bad == "" {
			_, _ = d.SetVideoField(f.field, f.text)
		}
	}
	return d.Video
}

// checkVideo reports each rendition field that does not parse or is out
// of range, then what the destination's service or protocol refuses (HEVC
// to Twitch, AV1 over RTP...).
func (dd *destDialog) checkVideo(d profile.Destination, add func(field, msg string)) {
	if dd.video.mode == nil || dd.video.mode.Selected != videoCustom {
		return
	}
	scratch := profile.Destination{Name: d.Name}
	bad := false
	for _, f := range dd.videoTexts() {
		msg := f.bad
		if msg == "" {
			if _, err := scratch.SetVideoField(f.field, f.text); err != nil {
				msg = strings.TrimPrefix(err.Error(), fmt.Sprintf("dest.%s.%s: ", d.Name, f.field))
			}
		}
		if msg != "" {
			add("video."+f.field, msg)
			bad = true
		}
	}
	if bad {
		return
	}
	if r, m := dd.w.prof.Rendition(&d), dd.w.prof.MainRendition(); r.FPS > m.FPS {
		add("video.fps", fmt.Sprintf("%d fps is above the main %d fps (the capture rate): lower it, "+
			"or raise the main frame rate in the Encoder panel", r.FPS, m.FPS))
		return
	}
	if _, err := session.DestinationVideo(dd.w.prof, d); err != nil {
		msg := err.Error()
		field := "video.codec"
		if p := fmt.Sprintf("dest.%s.encoder: ", d.Name); strings.HasPrefix(msg, p) {
			field, msg = "video.encoder", strings.TrimPrefix(msg, p)
		}
		add(field, msg)
	}
}

// showVideoNote says, while live, when a changed video takes effect:
// at once when the stream already encodes it (another destination's
// rendition), else at the next Go Live.
func (dd *destDialog) showVideoNote(d profile.Destination) {
	text := ""
	if dd.w.phase == phaseLive && d.Enabled && !sameVideo(dd.w.prof, dd.orig, d) {
		if dd.w.dests.servesVideo(d) {
			text = "The stream already encodes this video: saving moves " + d.Name + " to it at the next key frame."
		} else {
			text = "This video takes effect at the next Go Live: it needs an encoder of its own, which cannot start while live. " +
				"Until then " + d.Name + " keeps its current video."
			if dd.index < 0 {
				text = "This destination starts at the next Go Live: its video needs an encoder of its own, which cannot start while live."
			}
		}
	}
	setLabel(dd.video.note, text, levelWarning)
	setVisible(dd.video.note, text != "")
}

// sameVideo reports whether a and b get the same encode (adaptive and
// fallback aside).
func sameVideo(p profile.Profile, a, b profile.Destination) bool {
	return p.Rendition(&a) == p.Rendition(&b)
}

// videoSummary is what a destination's row says about its video: its
// own rendition ("720p30 · 3.0 Mb/s · H.264", "vertical 1080x1920 · …"),
// or "" when it is the main one.
func videoSummary(p profile.Profile, d profile.Destination) string {
	r := p.Rendition(&d)
	if d.Video.IsZero() || r == p.MainRendition() {
		return ""
	}
	return r.String()
}
