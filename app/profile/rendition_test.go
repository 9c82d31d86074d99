package profile

import (
	"encoding/json"
	"strings"
	"testing"
)

func renditionProfile() Profile {
	p := DefaultProfile()
	p.Destinations = append(p.Destinations, Destination{Name: "V", Kind: KindRecord, Enabled: true,
		Record: &Record{Path: "/tmp/v.mkv"}})
	return p
}

func TestRenditionFieldsSetResolveAndUnset(t *testing.T) {
	p := renditionProfile()
	d, _ := p.Destination("V")
	for _, kv := range [][2]string{{"size", "720x1280"}, {"fps", "30"}, {"video_bitrate", "2000k"},
		{"codec", "H264"}, {"encoder", "libx264"}, {"preset", "faster"}, {"layout", "vertical"},
		{"adaptive", "false"}, {"fallback", "Local preview"}} {
		if ok, err := d.SetVideoField(kv[0], kv[1]); !ok || err != nil {
			t.Fatalf("set %s=%s: %v %v", kv[0], kv[1], ok, err)
		}
	}
	if d.Adaptive() {
		t.Error("adaptive on for a recording with adaptive=false")
	}
	r := p.Rendition(d)
	want := Rendition{Width: 720, Height: 1280, FPS: 30, VideoBitrate: 2_000_000, Codec: "h264",
		Encoder: "libx264", Preset: "faster", Layout: LayoutVertical}
	if r != want {
		t.Fatalf("rendition %+v, want %+v", r, want)
	}
	if s := p.VideoSummary(d); s != "video vertical 720x1280 · 30 fps · 2.0 Mb/s · H.264, adaptive off, fallback Local preview" {
		t.Fatalf("summary %q", s)
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	// JSON round trip and a deep clone.
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back Profile
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	bd, _ := back.Destination("V")
	if back.Rendition(bd) != want || bd.Video.Adaptive == nil || *bd.Video.Adaptive {
		t.Fatalf("after JSON: %+v", bd.Video)
	}
	c := p.Clone()
	cd, _ := c.Destination("V")
	*cd.Video.Adaptive = true
	if *d.Video.Adaptive {
		t.Fatal("Clone shares the adaptive flag")
	}
	for _, f := range VideoFields {
		if _, err := d.SetVideoField(f, "same"); err != nil {
			t.Fatal(err)
		}
	}
	if d.Video != nil || p.Rendition(d) != p.MainRendition() {
		t.Fatalf("after unsetting every field: %+v", d.Video)
	}
	if s := p.MainRendition().String(); s != "720p30 · 2.5 Mb/s · H.264" {
		t.Fatalf("main rendition %q", s)
	}
}

func TestRenditionFieldsRefuseBadValues(t *testing.T) {
	p := renditionProfile()
	d, _ := p.Destination("V")
	for _, c := range []struct{ field, value, msg string }{
		{"size", "721x1280", "width 721: want an even number"},
		{"fps", "500", "frame rate 500"},
		{"video_bitrate", "10k", "video bitrate 10000"},
		{"codec", "vp9", `codec "vp9": want one of h264, hevc, av1`},
		{"layout", "square", `layout "square"`},
		{"preset", "warp", `preset "warp"`},
		{"encoder", "x", `encoder "x"`},
		{"adaptive", "maybe", `adaptive "maybe": want true or false, or same`},
		// Words for people, not Go's parser errors; and 0 is not "same"
		// in disguise (the value used is the one written).
		{"fps", "abc", `frame rate "abc": want a whole number 1-120, or same`},
		{"fps", "0", `frame rate "0": want a whole number 1-120, or same`},
		{"video_bitrate", "0", `video bitrate "0": want`},
	} {
		ok, err := d.SetVideoField(c.field, c.value)
		if !ok || err == nil || !strings.Contains(err.Error(), c.msg) || !strings.Contains(err.Error(), "dest.V."+c.field) ||
			strings.Contains(err.Error(), "strconv") {
			t.Errorf("%s=%s: %v, want %q", c.field, c.value, err, c.msg)
		}
	}
	if d.Video != nil {
		t.Fatalf("a refused value was kept: %+v", d.Video)
	}
	for value, want := range map[string]bool{"yes": true, "On": true, "false": false, "no": false} {
		if _, err := d.SetVideoField("adaptive", value); err != nil || d.Video == nil || d.Video.Adaptive == nil || *d.Video.Adaptive != want {
			t.Fatalf("adaptive=%s: %v, %+v", value, err, d.Video)
		}
	}
	d.Video = nil
	if ok, _ := d.SetVideoField("url", "x"); ok {
		t.Fatal("url taken for a rendition field")
	}
	d.Video = &Video{Codec: "vp9"}
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), `destination 2 "V": video: codec "vp9"`) {
		t.Fatalf("Validate: %v", err)
	}
}

// TestAV1RenditionTakesSVTPresets: an AV1 rendition takes SVT-AV1's
// numbered presets 0-13 (as the README and the encoder do); an H.264 one
// and an out-of-range number do not.
func TestAV1RenditionTakesSVTPresets(t *testing.T) {
	p := renditionProfile()
	d, _ := p.Destination("V")
	if _, err := d.SetVideoField("preset", "8"); err == nil {
		t.Fatal("preset 8 accepted for an H.264 rendition")
	}
	if _, err := d.SetVideoField("codec", "av1"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"14", "-1", "08", "+8"} {
		if _, err := d.SetVideoField("preset", bad); err == nil || !strings.Contains(err.Error(), "SVT-AV1's 0-13") {
			t.Errorf("preset %q for AV1: %v, want refused with the SVT-AV1 range", bad, err)
		}
	}
	for _, good := range []string{"0", "8", "13", "veryfast"} {
		if _, err := d.SetVideoField("preset", good); err != nil {
			t.Errorf("preset %q for AV1: %v", good, err)
		}
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
}

// TestAdaptiveSummaryShowsTheFloor: an RTMP, SRT or WHIP destination
// with a rendition of its own adapts by default, and `profile show` says
// down to what.
func TestAdaptiveSummaryShowsTheFloor(t *testing.T) {
	p := renditionProfile()
	d := Destination{Name: "T", Kind: KindRTMP, Enabled: true, RTMP: &RTMP{URL: "rtmp://example.com/live", Key: "k"}}
	if d.Adaptive() {
		t.Error("adaptive on for a destination on the main encoder")
	}
	if _, err := d.SetVideoField("video_bitrate", "2500k"); err != nil {
		t.Fatal(err)
	}
	if !d.Adaptive() {
		t.Error("adaptive off for an RTMP destination with its own rendition and no setting")
	}
	if s := p.VideoSummary(&d); !strings.HasSuffix(s, "2.5 Mb/s · H.264, adaptive down to 0.75 Mb/s") {
		t.Errorf("summary %q", s)
	}
	for _, o := range []Destination{
		{Name: "S", Kind: KindSRT, Enabled: true, SRT: &SRT{URL: "srt://example.com:9000"}},
		{Name: "W", Kind: KindWHIP, Enabled: true, WHIP: &WHIP{URL: "https://example.com/whip"}},
	} {
		if _, err := o.SetVideoField("video_bitrate", "2500k"); err != nil {
			t.Fatal(err)
		}
		if !o.Adaptive() || !strings.HasSuffix(p.VideoSummary(&o), "adaptive down to 0.75 Mb/s") {
			t.Errorf("%s destination with its own rendition: adaptive %v, summary %q; want adaptive by default",
				o.Kind, o.Adaptive(), p.VideoSummary(&o))
		}
	}
	if AdaptiveFloor(500_000) != 200_000 || AdaptiveFloor(150_000) != 150_000 || AdaptiveFloor(6_000_000) != 1_800_000 {
		t.Error("floors: want 30 %, at least 200 kb/s, never above the bitrate")
	}
}
