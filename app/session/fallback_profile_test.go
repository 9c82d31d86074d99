package session

import (
	"strings"
	"testing"

	"golive/app/profile"
	"golive/media/engine"
)

// fallbackTestProfile: "A" and "B" share the main 1280x720 2.5 Mb/s
// rendition, A with fallback fb (a destination name or a rendition).
func fallbackTestProfile(fb string) profile.Profile {
	p := testSourceProfile()
	p.Encoder.Width, p.Encoder.Height, p.Encoder.VideoBitrate = 1280, 720, 2_500_000
	rtmp := func(name string) profile.Destination {
		return profile.Destination{Name: name, Kind: profile.KindRTMP, Enabled: true,
			RTMP: &profile.RTMP{URL: "rtmp://127.0.0.1/live", Key: "k" + name}}
	}
	a, b := rtmp("A"), rtmp("B")
	a.Video = &profile.Video{Fallback: fb}
	hevc := rtmp("hevc")
	hevc.Enabled = false
	hevc.Video = &profile.Video{Width: 854, Height: 480, Codec: profile.CodecHEVC}
	p.Destinations = []profile.Destination{a, b, hevc}
	return p
}

// TestFallbackPlansAnOnDemandEncoder: a fallback no destination reads
// gets an encoder of its own that runs on demand; one equal to a running
// rendition reuses it.
func TestFallbackPlansAnOnDemandEncoder(t *testing.T) {
	cfg, err := FromProfile(fallbackTestProfile("854x480@30 600k"))
	if err != nil {
		t.Fatal(err)
	}
	if o := cfg.Outputs[0]; o.Video != nil || o.Adaptive {
		t.Fatalf("A (only a fallback set): video %+v, adaptive %v; want the main rendition, not adaptive", o.Video, o.Adaptive)
	}
	if fb := cfg.Outputs[0].Fallback; fb == nil || fb.Width != 854 || fb.VideoBitrate != 600_000 || cfg.Outputs[1].Fallback != nil {
		t.Fatalf("fallbacks %+v, %+v", cfg.Outputs[0].Fallback, cfg.Outputs[1].Fallback)
	}
	s := &Session{Config: cfg}
	extra := s.planRenditions()
	if len(extra) != 1 || !extra[0].OnDemand || extra[0].ID != "r1" || extra[0].Width != 854 {
		t.Fatalf("planned %+v, want one on-demand 854x480 encoder", extra)
	}
	if s.encoderOf["A"] != engine.MainID || s.encoderOf["B"] != engine.MainID {
		t.Fatalf("encoders %v: both read main", s.encoderOf)
	}
	// B reads the fallback's rendition itself: A's fallback is that encoder.
	cfg.Outputs[1].Video = cfg.Outputs[0].Fallback
	s = &Session{Config: cfg}
	if extra := s.planRenditions(); len(extra) != 1 || extra[0].OnDemand || s.encoderOf["B"] != "r1" {
		t.Fatalf("planned %+v (B on %q), want B's encoder, not on demand", extra, s.encoderOf["B"])
	}
}

// TestFallbackRefusedBeforeLive: a fallback naming the destination
// itself, nothing known, a codec its service does not take, or one this
// version cannot move to is refused by FromProfile with a clear message.
func TestFallbackRefusedBeforeLive(t *testing.T) {
	for _, tc := range []struct {
		fb, want string
		edit     func(*profile.Profile)
	}{
		{fb: "A", want: `fallback "A" is this destination itself`},
		{fb: "nowhere", want: `fallback "nowhere": no destination of that name`},
		{fb: "B", want: "is the destination's own rendition"},
		{fb: "hevc", want: `Twitch does not take hevc video`, edit: func(p *profile.Profile) {
			p.Destinations[0].RTMP.Service, p.Destinations[0].RTMP.URL = "twitch", "rtmp://live.twitch.tv/app"
		}},
		{fb: "hevc", want: "moving between h264 and hevc video is not supported"},
		{fb: "854x480", want: "only RTMP/RTMPS, SRT, RTP (mpegts) and WHIP destinations move to a fallback rendition, not record; unset it",
			edit: func(p *profile.Profile) { p.Destinations[0] = fallbackDest(t, "record", "/tmp/x.mkv") }},
		{fb: "854x480", want: "native RTP announces the video's parameters once, in its SDP file, so it cannot move to another rendition: use mode mpegts",
			edit: func(p *profile.Profile) { p.Destinations[0] = fallbackDest(t, "rtp", "127.0.0.1:5004?mode=native") }},
	} {
		p := fallbackTestProfile(tc.fb)
		if tc.edit != nil {
			tc.edit(&p)
		}
		_, err := FromProfile(p)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "fallback") {
			t.Errorf("fallback %q: FromProfile = %v, want an error with %q", tc.fb, err, tc.want)
		}
	}
}

// TestFallbackKeepsTheCodec: an HEVC or AV1 destination on RTMP may fall
// back to a smaller rendition of its own codec (the muxer sends the new
// sequence start at the move); a fallback of another codec is refused
// with what to choose instead.
func TestFallbackKeepsTheCodec(t *testing.T) {
	for _, codec := range []string{profile.CodecHEVC, profile.CodecAV1} {
		p := fallbackTestProfile("small")
		p.Destinations[0].Video = &profile.Video{Codec: codec, Fallback: "small"}
		small := p.Destinations[2]
		small.Name, small.Video = "small", &profile.Video{Width: 854, Height: 480, Codec: codec}
		p.Destinations = append(p.Destinations, small)
		cfg, err := FromProfile(p)
		if err != nil {
			t.Fatalf("%s fallback of a %s destination: %v", codec, codec, err)
		}
		fb, own := cfg.Outputs[0].Fallback, cfg.Outputs[0].Video
		if fb == nil || fb.Width != 854 || own == nil || own.Encoder != fb.Encoder || (fb.Encoder != "libx265" && fb.Encoder != "libsvtav1") {
			t.Fatalf("%s: own %+v, fallback %+v; want the same encoder, 854 wide", codec, own, fb)
		}
		p.Destinations[3].Video.Codec = profile.CodecH264
		_, err = FromProfile(p)
		want := `dest.A.fallback "small": moving between ` + codec + " and h264 video is not supported in this version: " +
			"a destination keeps its codec while live; choose a fallback rendition with codec " + codec
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s destination, h264 fallback: %v, want %q", codec, err, want)
		}
	}
}

// fallbackDest is destination "A" of the given kind (record, rtp, srt,
// whip: its flag's value) with fallback "854x480".
func fallbackDest(t *testing.T, kind, flag string) profile.Destination {
	t.Helper()
	var d profile.Destination
	var err error
	switch kind {
	case "record":
		d, err = profile.ParseRecordFlag(flag)
	case "rtp":
		d, err = profile.ParseRTPFlag(flag)
	case "srt":
		d, err = profile.ParseSRTFlag(flag)
	case "whip":
		d, err = profile.ParseWHIPFlag(flag, "")
	}
	if err != nil {
		t.Fatalf("%s %q: %v", kind, flag, err)
	}
	d.Name, d.Enabled, d.Video = "A", true, &profile.Video{Fallback: "854x480"}
	return d
}

// TestFallbackOverMPEGTS: SRT and RTP destinations in MPEG-TS mode take a
// fallback rendition (the parameter sets travel in band), H.264 as HEVC;
// WHIP destinations too (H.264).
func TestFallbackOverMPEGTS(t *testing.T) {
	for _, tc := range []struct{ kind, flag, codec string }{
		{"srt", "srt://127.0.0.1:8890?streamid=publish:a", ""},
		{"srt", "srt://127.0.0.1:8890?streamid=publish:a", profile.CodecHEVC},
		{"rtp", "127.0.0.1:5004", ""},
		{"rtp", "127.0.0.1:5004?mode=mpegts", profile.CodecHEVC},
		{"whip", "https://127.0.0.1:8889/a/whip", ""},
	} {
		p := fallbackTestProfile("854x480")
		p.Destinations[0] = fallbackDest(t, tc.kind, tc.flag)
		p.Destinations[0].Video.Codec = tc.codec
		cfg, err := FromProfile(p)
		if err != nil {
			t.Errorf("%s %q, codec %q: %v", tc.kind, tc.flag, tc.codec, err)
			continue
		}
		if fb := cfg.Outputs[0].Fallback; fb == nil || fb.Width != 854 || fb.Height != 480 {
			t.Errorf("%s %q, codec %q: fallback %+v, want 854x480", tc.kind, tc.flag, tc.codec, fb)
		}
	}
}
