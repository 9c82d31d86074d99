package profile

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Video codecs and layouts of a rendition.
const (
	CodecH264       = "h264"
	CodecHEVC       = "hevc"
	CodecAV1        = "av1"
	LayoutLandscape = "landscape"
	LayoutVertical  = "vertical"
)

// Known rendition values.
var (
	VideoCodecs = []string{CodecH264, CodecHEVC, CodecAV1}
	Layouts     = []string{LayoutLandscape, LayoutVertical}
	// VideoFields are the per-destination rendition settings
	// (dest.NAME.FIELD).
	VideoFields = []string{"size", "fps", "video_bitrate", "codec", "encoder", "preset", "layout", "adaptive", "fallback"}
)

// Video is a destination's own rendition: every zero field means "same as
// the profile" (its Encoder settings, H.264, landscape).
type Video struct {
	Width        int    `json:"width,omitempty"`
	Height       int    `json:"height,omitempty"`
	FPS          int    `json:"fps,omitempty"`
	VideoBitrate int    `json:"video_bitrate,omitempty"`
	Codec        string `json:"codec,omitempty"`
	Encoder      string `json:"encoder,omitempty"`
	Preset       string `json:"preset,omitempty"`
	Layout       string `json:"layout,omitempty"`
	// Adaptive lets the destination's own encoder follow its path's
	// capacity (nil: the default, on for a destination with an encoder of
	// its own).
	Adaptive *bool `json:"adaptive,omitempty"`
	// Fallback names the rendition (another destination's) to move to.
	Fallback string `json:"fallback,omitempty"`
}

// IsZero reports whether every field is unset (same as the profile).
func (v *Video) IsZero() bool { return v == nil || *v == Video{} }

// HasRendition reports whether v sets any field of the picture (size,
// fps, bitrate, codec, encoder, preset, layout): a destination with only
// adaptive or fallback set reads the main rendition.
func (v *Video) HasRendition() bool {
	if v == nil {
		return false
	}
	w := *v
	w.Adaptive, w.Fallback = nil, ""
	return w != Video{}
}

// Rendition is a complete, resolved rendition: what one encoder makes.
type Rendition struct {
	Width, Height, FPS, VideoBitrate int
	Codec, Encoder, Preset, Layout   string
}

// Rendition resolves the destination's rendition against the profile's
// encoder settings.
func (p *Profile) Rendition(d *Destination) Rendition {
	e := p.Encoder
	r := Rendition{Width: e.Width, Height: e.Height, FPS: e.FPS, VideoBitrate: e.VideoBitrate,
		Codec: CodecH264, Encoder: e.Encoder, Preset: e.Preset, Layout: LayoutLandscape}
	v := d.Video
	if v == nil {
		return r
	}
	if v.Width != 0 && v.Height != 0 {
		r.Width, r.Height = v.Width, v.Height
	}
	setIf(&r.FPS, v.FPS)
	setIf(&r.VideoBitrate, v.VideoBitrate)
	setIf(&r.Codec, v.Codec)
	setIf(&r.Encoder, v.Encoder)
	setIf(&r.Preset, v.Preset)
	setIf(&r.Layout, v.Layout)
	return r
}

func setIf[T comparable](dst *T, v T) {
	var zero T
	if v != zero {
		*dst = v
	}
}

// MainRendition is the profile's own rendition (destinations without
// settings of their own).
func (p *Profile) MainRendition() Rendition { return p.Rendition(&Destination{}) }

// String describes the rendition for people: "720p30 · 3.0 Mb/s · H.264",
// "vertical 720x1280 · 30 fps · 2.0 Mb/s · H.264".
func (r Rendition) String() string {
	codec := map[string]string{CodecH264: "H.264", CodecHEVC: "HEVC", CodecAV1: "AV1"}[r.Codec]
	if codec == "" {
		codec = r.Codec
	}
	rate := fmt.Sprintf("%.1f Mb/s", float64(r.VideoBitrate)/1e6)
	if r.Layout == LayoutVertical {
		return fmt.Sprintf("vertical %dx%d · %d fps · %s · %s", r.Width, r.Height, r.FPS, rate, codec)
	}
	size := fmt.Sprintf("%dx%d@%d", r.Width, r.Height, r.FPS)
	if r.Width*9 == r.Height*16 {
		size = fmt.Sprintf("%dp%d", r.Height, r.FPS)
	}
	return size + " · " + rate + " · " + codec
}

// SetVideoField sets one rendition field (dest.NAME.FIELD) of d from its
// text; "" or "same" unsets it. ok is false when field is not a rendition
// field.
func (d *Destination) SetVideoField(field, value string) (ok bool, err error) {
	if !slices.Contains(VideoFields, field) {
		return false, nil
	}
	v := Video{}
	if d.Video != nil {
		v = *d.Video
	}
	if err := v.set(field, strings.TrimSpace(value)); err != nil {
		return true, fmt.Errorf("dest.%s.%s: %w", d.Name, field, err)
	}
	d.Video = &v
	if v.IsZero() {
		d.Video = nil
	}
	return true, nil
}

func (v *Video) set(field, s string) error {
	if s == "" || strings.EqualFold(s, "same") {
		v.clear(field)
		return nil
	}
	var err error
	switch field {
	case "size":
		v.Width, v.Height, err = ParseSize(s)
	case "fps":
		// 0 is no frame rate: "same" (or nothing) clears the field, so
		// that the value used is always the one written.
		if n, perr := strconv.Atoi(s); perr != nil || n <= 0 {
			err = fmt.Errorf("frame rate %q: want a whole number %d-%d, or same", s, MinFPS, MaxFPS)
		} else {
			v.FPS = n
		}
	case "video_bitrate":
		if v.VideoBitrate, err = ParseBitrate(s); err == nil && v.VideoBitrate == 0 {
			err = fmt.Errorf("video bitrate %q: want %s-%s, or same", s, FormatBitrate(MinVideoBitrate), FormatBitrate(MaxVideoBitrate))
		}
	case "codec":
		v.Codec = strings.ToLower(s)
	case "encoder":
		v.Encoder = s
	case "preset":
		v.Preset = s
	case "layout":
		v.Layout = strings.ToLower(s)
	case "adaptive":
		on := false
		switch strings.ToLower(s) {
		case "true", "yes", "on", "1":
			on = true
		case "false", "no", "off", "0":
		default:
			return fmt.Errorf("adaptive %q: want true or false, or same", s)
		}
		v.Adaptive = &on
	case "fallback":
		v.Fallback = s
	}
	if err != nil {
		return err
	}
	return v.check()
}

func (v *Video) clear(field string) {
	switch field {
	case "size":
		v.Width, v.Height = 0, 0
	case "fps":
		v.FPS = 0
	case "video_bitrate":
		v.VideoBitrate = 0
	case "codec":
		v.Codec = ""
	case "encoder":
		v.Encoder = ""
	case "preset":
		v.Preset = ""
	case "layout":
		v.Layout = ""
	case "adaptive":
		v.Adaptive = nil
	case "fallback":
		v.Fallback = ""
	}
}

// check returns the first problem of the set fields.
func (v *Video) check() error {
	switch {
	case v.Width != 0 && (v.Width < MinWidth || v.Width > MaxWidth || v.Width%2 != 0):
		return fmt.Errorf("width %d: want an even number %d-%d", v.Width, MinWidth, MaxWidth)
	case v.Height != 0 && (v.Height < MinHeight || v.Height > MaxHeight || v.Height%2 != 0):
		return fmt.Errorf("height %d: want an even number %d-%d", v.Height, MinHeight, MaxHeight)
	case (v.Width == 0) != (v.Height == 0):
		return fmt.Errorf("size %dx%d: give both width and height", v.Width, v.Height)
	case v.FPS != 0 && (v.FPS < MinFPS || v.FPS > MaxFPS):
		return fmt.Errorf("frame rate %d: want %d-%d", v.FPS, MinFPS, MaxFPS)
	case v.VideoBitrate != 0 && (v.VideoBitrate < MinVideoBitrate || v.VideoBitrate > MaxVideoBitrate):
		return fmt.Errorf("video bitrate %d: want %s-%s", v.VideoBitrate, FormatBitrate(MinVideoBitrate), FormatBitrate(MaxVideoBitrate))
	case v.Codec != "" && !slices.Contains(VideoCodecs, v.Codec):
		return fmt.Errorf("codec %q: want one of %s", v.Codec, strings.Join(VideoCodecs, ", "))
	case v.Layout != "" && !slices.Contains(Layouts, v.Layout):
		return fmt.Errorf("layout %q: want one of %s", v.Layout, strings.Join(Layouts, ", "))
	case v.Preset != "" && !slices.Contains(X264Presets, v.Preset) && (!v.isAV1() || !isSVTPreset(v.Preset)):
		if v.isAV1() {
			return fmt.Errorf("preset %q: want one of %s, or SVT-AV1's 0-13 (higher is faster)", v.Preset, strings.Join(X264Presets, ", "))
		}
		return fmt.Errorf("preset %q: want one of %s", v.Preset, strings.Join(X264Presets, ", "))
	case v.Encoder != "" && !slices.Contains(VideoEncoders, v.Encoder) && !knownOtherEncoder(v.Encoder):
		return fmt.Errorf("encoder %q: want one of %s, libx265, libsvtav1", v.Encoder, strings.Join(VideoEncoders, ", "))
	case v.Fallback != "" && checkFallbackText(v.Fallback) != "":
		return fmt.Errorf("fallback: %s", checkFallbackText(v.Fallback))
	}
	return nil
}

// isAV1 reports whether the rendition encodes AV1 (by codec or encoder).
func (v *Video) isAV1() bool {
	return v.Codec == "av1" || v.Encoder == "libsvtav1" || strings.HasPrefix(v.Encoder, "av1_")
}

// isSVTPreset reports whether p is one of SVT-AV1's numbered presets.
func isSVTPreset(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n >= 0 && n <= 13 && strconv.Itoa(n) == p
}

func knownOtherEncoder(e string) bool {
	return slices.Contains([]string{"libx265", "libsvtav1", "hevc_nvenc", "hevc_qsv", "av1_nvenc", "av1_qsv"}, e)
}

// validate adds the problems of a destination's rendition to c.
func (v *Video) validate(c *checker) {
	if v == nil {
		return
	}
	if err := v.check(); err != nil {
		c.add("video", "%v", err)
	}
}

// VideoSummary describes the destination's rendition: "same as main" or
// its own (Rendition.String).
func (p *Profile) VideoSummary(d *Destination) string {
	if d.Video.IsZero() {
		return "video same as main"
	}
	s := "video " + p.Rendition(d).String()
	if !d.Video.HasRendition() {
		s = "video same as main"
	}
	switch {
	case d.Video.Adaptive != nil && !*d.Video.Adaptive:
		s += ", adaptive off"
	case d.Adaptive():
		s += fmt.Sprintf(", adaptive down to %.2f Mb/s", float64(AdaptiveFloor(p.Rendition(d).VideoBitrate))/1e6)
	}
	if d.Video.Fallback != "" {
		s += ", fallback " + d.Video.Fallback
	}
	return s
}

// Adaptive reports whether the destination's own encoder follows its
// path: an RTMP/RTMPS, SRT or WHIP destination with a rendition of its
// own, unless dest.NAME.adaptive is false.
func (d *Destination) Adaptive() bool {
	network := d.Kind == KindRTMP || d.Kind == KindSRT || d.Kind == KindWHIP
	return network && d.Video.HasRendition() && (d.Video.Adaptive == nil || *d.Video.Adaptive)
}

// AdaptiveFloor is the lowest bitrate an adaptive encoder configured at
// bps goes down to: 30 % of it, at least 200 kb/s (never above bps).
func AdaptiveFloor(bps int) int {
	return min(bps, max(bps*3/10, 200_000))
}
