package profile

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Fallback renditions (dest.NAME.fallback): the rendition a destination
// sharing an encoder moves to when its path cannot carry its own. The
// value is one of
//   - "main": the profile's own rendition;
//   - another destination's name (enabled or not): its rendition;
//   - a rendition written out: "WIDTHxHEIGHT[@FPS] [BITRATE]", e.g.
//     "854x480@30 600k" (unset parts are the profile's; its codec and
//     encoder are the destination's own, which it keeps while live).
//
// A destination name is looked up first.

// FallbackMain names the profile's main rendition as a fallback.
const FallbackMain = "main"

// maxFallbackLen bounds the fallback text (a name or a rendition).
const maxFallbackLen = 100

// checkFallbackText returns what is wrong with the text of a fallback
// ("" when nothing is): the checks that need no profile.
func checkFallbackText(s string) string {
	switch {
	case !utf8.ValidString(s):
		return "not valid UTF-8"
	case utf8.RuneCountInString(s) > maxFallbackLen:
		return fmt.Sprintf("too long (%d characters, max %d)", utf8.RuneCountInString(s), maxFallbackLen)
	case strings.ContainsFunc(s, unicode.IsControl):
		return "contains control characters"
	}
	return ""
}

// ParseRenditionText reads a rendition written out: "WIDTHxHEIGHT",
// optionally "@FPS", optionally a bitrate after a space ("854x480@30
// 600k"). ok is false when s is not written that way; err says what is
// out of range.
func ParseRenditionText(s string) (v Video, ok bool, err error) {
	f := strings.Fields(s)
	if len(f) == 0 || len(f) > 2 || !strings.ContainsAny(f[0], "xX") {
		return Video{}, false, nil
	}
	size, fps, hasFPS := strings.Cut(f[0], "@")
	if v.Width, v.Height, err = ParseSize(size); err != nil {
		return Video{}, false, nil
	}
	if v.Width <= 0 || v.Height <= 0 {
		return Video{}, true, fmt.Errorf("size %q: want WIDTHxHEIGHT", size)
	}
	if hasFPS {
		if v.FPS, err = strconv.Atoi(fps); err != nil || v.FPS <= 0 {
			return Video{}, true, fmt.Errorf("frame rate %q: want a whole number %d-%d", fps, MinFPS, MaxFPS)
		}
	}
	if len(f) == 2 {
		if v.VideoBitrate, err = ParseBitrate(f[1]); err != nil {
			return Video{}, true, err
		}
		if v.VideoBitrate <= 0 {
			return Video{}, true, fmt.Errorf("video bitrate %q: want %s-%s", f[1], FormatBitrate(MinVideoBitrate), FormatBitrate(MaxVideoBitrate))
		}
	}
	return v, true, v.check()
}

// Fallback resolves d's fallback rendition; ok is false when d has none.
// The error says what is wrong with the name (itself, unknown, the
// destination's own rendition).
func (p *Profile) Fallback(d *Destination) (r Rendition, ok bool, err error) {
	if d.Video == nil || d.Video.Fallback == "" {
		return Rendition{}, false, nil
	}
	name := d.Video.Fallback
	if msg := checkFallbackText(name); msg != "" {
		return Rendition{}, false, fmt.Errorf("fallback: %s", msg)
	}
	own := p.Rendition(d)
	switch other := p.destinationNamed(name); {
	case strings.EqualFold(name, d.Name):
		return Rendition{}, false, fmt.Errorf("fallback %q is this destination itself: name another destination, %q, or a rendition such as \"854x480@30 600k\"", name, FallbackMain)
	case other != nil:
		r = p.Rendition(other)
	case strings.EqualFold(name, FallbackMain):
		r = p.MainRendition()
	default:
		v, isText, err := ParseRenditionText(name)
		if err != nil {
			return Rendition{}, false, fmt.Errorf("fallback %q: %w", name, err)
		}
		if !isText {
			return Rendition{}, false, fmt.Errorf("fallback %q: no destination of that name; name another destination, %q, or a rendition such as \"854x480@30 600k\"", name, FallbackMain)
		}
		v.Codec, v.Encoder = own.Codec, own.Encoder
		r = p.Rendition(&Destination{Video: &v})
	}
	if r == own {
		return Rendition{}, false, fmt.Errorf("fallback %q is the destination's own rendition (%s): choose a smaller one", name, own)
	}
	return r, true, nil
}

// destinationNamed returns the destination called name (case-insensitive,
// as names are unique that way); nil when there is none.
func (p *Profile) destinationNamed(name string) *Destination {
	for i := range p.Destinations {
		if strings.EqualFold(p.Destinations[i].Name, name) {
			return &p.Destinations[i]
		}
	}
	return nil
}

// validateFallback adds the problems of d's fallback to c.
func (p *Profile) validateFallback(c *checker, d *Destination) {
	if d.Video != nil && checkFallbackText(d.Video.Fallback) != "" {
		return // Video.check said so
	}
	if _, _, err := p.Fallback(d); err != nil {
		c.add("video.fallback", "%v", err)
	}
}
