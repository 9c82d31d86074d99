package profile

import (
	"strings"
	"testing"
)

// fallbackProfile: "A" and "B" share the main rendition (1280x720 at
// 2.5 Mb/s); "small" (disabled) has its own 854x480 at 600 kb/s.
func fallbackProfile() Profile {
	p := DefaultProfile()
	p.Encoder.Width, p.Encoder.Height, p.Encoder.VideoBitrate = 1280, 720, 2_500_000
	rtmp := func(name string) Destination {
		return Destination{Name: name, Kind: KindRTMP, Enabled: true, RTMP: &RTMP{URL: "rtmp://h/app", Key: "k"}}
	}
	small := rtmp("small")
	small.Enabled = false
	small.Video = &Video{Width: 854, Height: 480, VideoBitrate: 600_000}
	p.Destinations = []Destination{rtmp("A"), rtmp("B"), small}
	return p
}

func TestFallbackResolves(t *testing.T) {
	for _, tc := range []struct {
		value, want, err string
	}{
		{value: "small", want: "854x480@30 · 0.6 Mb/s · H.264"},
		{value: "SMALL", want: "854x480@30 · 0.6 Mb/s · H.264"},
		{value: "854x480@30 600k", want: "854x480@30 · 0.6 Mb/s · H.264"},
		{value: "640x360 800k", want: "360p30 · 0.8 Mb/s · H.264"},
		{value: "640x360@15", want: "360p15 · 2.5 Mb/s · H.264"},
		{value: "A", err: "is this destination itself"},
		{value: "nowhere", err: `fallback "nowhere": no destination of that name`},
		{value: "B", err: "is the destination's own rendition (720p30"},
		{value: "main", err: "is the destination's own rendition"},
		{value: "1280x720", err: "own rendition"},
		{value: "854x480@500 600k", err: "frame rate 500"},
		{value: "854x480 1k", err: "video bitrate"},
		{value: "854x481", err: "height 481"},
		{value: "854x480@x", err: "frame rate \"x\""},
		{value: "a\x00b", err: "control characters"},
		{value: strings.Repeat("x", 101), err: "too long"},
	} {
		p := fallbackProfile()
		p.Destinations[0].Video = &Video{Fallback: tc.value}
		r, ok, err := p.Fallback(&p.Destinations[0])
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("fallback %q: error %v, want one with %q", tc.value, err, tc.err)
		case tc.err == "" && (err != nil || !ok || r.String() != tc.want):
			t.Errorf("fallback %q: %s, %v, %v; want %s", tc.value, r, ok, err, tc.want)
		}
		if verr := p.Validate(); (verr != nil) != (tc.err != "") {
			t.Errorf("fallback %q: Validate = %v", tc.value, verr)
		} else if verr != nil && !strings.Contains(verr.Error(), "fallback") {
			t.Errorf("fallback %q: Validate error %q does not name the field", tc.value, verr)
		}
	}
	p := fallbackProfile()
	p.Destinations[1].Video = &Video{Fallback: "small"}
	if s := p.VideoSummary(&p.Destinations[1]); s != "video same as main, fallback small" || p.Destinations[1].Adaptive() {
		t.Errorf("a destination with only a fallback: %q, adaptive %v; want it on main, not adaptive", s, p.Destinations[1].Adaptive())
	}
	if _, ok, err := p.Fallback(&p.Destinations[0]); ok || err != nil {
		t.Errorf("no fallback set: ok %v, err %v", ok, err)
	}
	p.Destinations[2].Video.Fallback = "main" // a destination with its own rendition falls back to main
	if r, ok, err := p.Fallback(&p.Destinations[2]); !ok || err != nil || r != p.MainRendition() {
		t.Errorf("fallback main of a destination with its own rendition: %v %v %v", r, ok, err)
	}
}
