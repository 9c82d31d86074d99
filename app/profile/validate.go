package profile

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golive/outputs/rtptarget"
)

// Limits checked by Validate.
const (
	MaxNameLen      = 64
	MinWidth        = 160
	MaxWidth        = 7680
	MinHeight       = 90
	MaxHeight       = 4320
	MinFPS          = 1
	MaxFPS          = 120
	MinVideoBitrate = 100_000
	MaxVideoBitrate = 100_000_000
	MinAudioBitrate = 32_000
	MaxAudioBitrate = 512_000
	MinRTPMTU       = rtptarget.MinMTU
	MaxRTPMTU       = rtptarget.MaxMTU
	// MaxRegionOffset bounds a region's X and Y: beyond any desktop (X11
	// coordinates are 16-bit), and X+W cannot overflow.
	MaxRegionOffset = 1<<16 - 1
)

// Known value sets.
var (
	Services       = []string{"youtube", "twitch", "facebook", "kick", "custom"}
	VideoEncoders  = []string{"auto", "libx264", "h264_vaapi", "h264_nvenc", "h264_qsv"}
	X264Presets    = []string{"ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"}
	RecordFormats  = []string{"mkv", "mp4", "flv", "ts"}
	RTPModes       = []string{rtptarget.ModeMPEGTS, rtptarget.ModeNative}
	CaptureSources = []string{SourceScreen, SourceTest}
	AudioInputs    = []string{AudioMic, AudioTest, AudioNone}
)

// FieldError is one invalid field. Messages never contain a stream key.
type FieldError struct {
	// Dest is the index of the destination, or -1 for profile fields.
	Dest     int
	DestName string
	// Field is the JSON path inside the profile or destination
	// ("encoder.fps", "rtmp.url").
	Field   string
	Message string
}

func (e *FieldError) Error() string {
	if e.Dest >= 0 {
		return fmt.Sprintf("destination %d %q: %s: %s", e.Dest+1, e.DestName, e.Field, e.Message)
	}
	return e.Field + ": " + e.Message
}

// FieldErrors returns the FieldErrors inside err (as joined by Validate).
func FieldErrors(err error) []*FieldError {
	var out []*FieldError
	var walk func(error)
	walk = func(e error) {
		if fe, ok := e.(*FieldError); ok { //nolint:errorlint // walks the tree itself: only this node
			out = append(out, fe)
			return
		}
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		if u := errors.Unwrap(e); u != nil {
			walk(u)
		}
	}
	if err != nil {
		walk(err)
	}
	return out
}

type checker struct {
	errs []error
	dest int
	name string
}

func (c *checker) add(field, format string, args ...any) {
	c.errs = append(c.errs, &FieldError{Dest: c.dest, DestName: c.name, Field: field, Message: fmt.Sprintf(format, args...)})
}

// Validate checks every field and returns all problems joined
// (errors.Join of *FieldError), or nil. A missing stream key is allowed
// here (an imported profile may come without keys); ValidateForLive
// rejects it.
func (p *Profile) Validate() error {
	c := &checker{dest: -1}
	if msg := checkName(p.Name); msg != "" {
		c.add("name", "profile %s", msg)
	}
	p.Capture.validate(c)
	p.Encoder.validate(c, p.Capture.Audio != AudioNone)
	seen := make(map[string]int)
	for i := range p.Destinations {
		d := &p.Destinations[i]
		c.dest, c.name = i, d.Name
		if msg := checkName(d.Name); msg != "" {
			c.add("name", "destination %s", msg)
		} else if j, dup := seen[strings.ToLower(d.Name)]; dup {
			c.add("name", "duplicate destination name (same as destination %d)", j+1)
		} else {
			seen[strings.ToLower(d.Name)] = i
		}
		d.validate(c)
		p.validateFallback(c, d)
	}
	return errors.Join(c.errs...)
}

// ValidateForLive is Validate plus what going live needs: at least one
// enabled destination, a stream key for every enabled RTMP one, and no
// secret left out by an export without keys (MissingSecrets).
func (p *Profile) ValidateForLive() error {
	errs := []error{p.Validate()}
	enabled := 0
	for i, d := range p.Destinations {
		if !d.Enabled {
			continue
		}
		enabled++
		if m := d.MissingSecrets(); len(m) > 0 {
			errs = append(errs, leftOutError(p.Name, i, d, m))
		} else if d.Kind == KindRTMP && d.RTMP != nil && d.RTMP.missingKey() {
			errs = append(errs, &FieldError{Dest: i, DestName: d.Name, Field: "rtmp.key",
				Message: "stream key is missing: set it with --rtmp-key or in the profile"})
		}
	}
	if enabled == 0 {
		errs = append(errs, &FieldError{Dest: -1, Field: "destinations", Message: "no enabled destination"})
	}
	return errors.Join(errs...)
}

// checkName returns "" or what is wrong with a profile or destination name.
func checkName(n string) string {
	switch {
	case strings.TrimSpace(n) == "":
		return "name is empty"
	case !utf8.ValidString(n):
		return "name is not valid UTF-8"
	case strings.TrimSpace(n) != n:
		return "name starts or ends with spaces"
	case utf8.RuneCountInString(n) > MaxNameLen:
		return fmt.Sprintf("name is too long (%d characters, max %d)", utf8.RuneCountInString(n), MaxNameLen)
	case strings.ContainsFunc(n, unicode.IsControl):
		return "name contains control characters"
	}
	return ""
}

func oneOf(v string, set []string) bool {
	for _, s := range set {
		if v == s {
			return true
		}
	}
	return false
}

func (cp *Capture) validate(c *checker) {
	if !oneOf(cp.Source, CaptureSources) {
		c.add("capture.source", "unknown source %q (use %s)", cp.Source, strings.Join(CaptureSources, " or "))
	}
	if cp.Region != "" {
		if _, err := ParseRegion(cp.Region); err != nil {
			c.add("capture.region", "%v", err)
		}
	}
	if !oneOf(cp.Audio, AudioInputs) {
		c.add("capture.audio", "unknown audio input %q (use %s)", cp.Audio, strings.Join(AudioInputs, ", "))
	}
}

// ParseSize reads "WIDTHxHEIGHT" (the range is checked by Validate).
func ParseSize(s string) (w, h int, err error) {
	a, b, ok := strings.Cut(strings.ToLower(strings.TrimSpace(s)), "x")
	if ok {
		w, err = strconv.Atoi(a)
		if err == nil {
			h, err = strconv.Atoi(b)
		}
	}
	if !ok || err != nil {
		return 0, 0, fmt.Errorf("size %q: want WIDTHxHEIGHT such as 1280x720", s)
	}
	return w, h, nil
}

// Region is a capture rectangle in screen pixels.
type Region struct{ X, Y, W, H int }

// ParseRegion parses "X,Y,W,H".
func ParseRegion(s string) (Region, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return Region{}, fmt.Errorf("region %q must be X,Y,W,H (4 numbers)", s)
	}
	var n [4]int
	for i, part := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil {
			return Region{}, fmt.Errorf("region %q: %q is not a whole number", s, part)
		}
		n[i] = v
	}
	r := Region{n[0], n[1], n[2], n[3]}
	switch {
	case r.X < 0 || r.Y < 0:
		return r, fmt.Errorf("region %q: X and Y must be 0 or more", s)
	case r.X > MaxRegionOffset || r.Y > MaxRegionOffset:
		return r, fmt.Errorf("region %q: X and Y must be at most %d", s, MaxRegionOffset)
	case r.W < 16 || r.H < 16:
		return r, fmt.Errorf("region %q: width and height must be at least 16", s)
	case r.W > MaxWidth || r.H > MaxHeight:
		return r, fmt.Errorf("region %q: larger than %dx%d", s, MaxWidth, MaxHeight)
	}
	return r, nil
}

func (e *Encoder) validate(c *checker, audio bool) {
	switch {
	case e.Width < MinWidth || e.Width > MaxWidth:
		c.add("encoder.width", "width %d out of range %d-%d", e.Width, MinWidth, MaxWidth)
	case e.Width%2 != 0:
		c.add("encoder.width", "width %d must be even (4:2:0 video)", e.Width)
	}
	switch {
	case e.Height < MinHeight || e.Height > MaxHeight:
		c.add("encoder.height", "height %d out of range %d-%d", e.Height, MinHeight, MaxHeight)
	case e.Height%2 != 0:
		c.add("encoder.height", "height %d must be even (4:2:0 video)", e.Height)
	}
	if e.FPS < MinFPS || e.FPS > MaxFPS {
		c.add("encoder.fps", "frame rate %d out of range %d-%d", e.FPS, MinFPS, MaxFPS)
	}
	if e.VideoBitrate < MinVideoBitrate || e.VideoBitrate > MaxVideoBitrate {
		c.add("encoder.video_bitrate", "video bitrate %s out of range %s-%s",
			FormatBitrate(e.VideoBitrate), FormatBitrate(MinVideoBitrate), FormatBitrate(MaxVideoBitrate))
	}
	if e.Encoder != "" && !oneOf(e.Encoder, VideoEncoders) {
		c.add("encoder.encoder", "unknown encoder %q (use %s)", e.Encoder, strings.Join(VideoEncoders, ", "))
	}
	if e.Preset != "" && (e.Encoder == "" || e.Encoder == "auto" || e.Encoder == "libx264") && !oneOf(e.Preset, X264Presets) {
		c.add("encoder.preset", "unknown x264 preset %q (use %s)", e.Preset, strings.Join(X264Presets, ", "))
	}
	if (audio || e.AudioBitrate != 0) && (e.AudioBitrate < MinAudioBitrate || e.AudioBitrate > MaxAudioBitrate) {
		c.add("encoder.audio_bitrate", "audio bitrate %s out of range %s-%s",
			FormatBitrate(e.AudioBitrate), FormatBitrate(MinAudioBitrate), FormatBitrate(MaxAudioBitrate))
	}
}
