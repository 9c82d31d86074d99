package session

import (
	"errors"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"golive/app/profile"
	"golive/media/engine"
)

// TestRenditionsLiveAddSharesOrNeedsRestart: destinations with equal
// renditions share one encoder (one reading the main rendition spelled
// out too), a destination added while live joins a running encoder of its
// rendition and gets a key frame at once, and one whose rendition no
// encoder makes is refused with ErrNeedsRestart (the others keep going).
func TestRenditionsLiveAddSharesOrNeedsRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time encode")
	}
	defer goleak.VerifyNone(t)
	cfg, err := FromProfile(testProfile(t, t.TempDir()+"/rec.mkv"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Engine.Width, cfg.Engine.Height, cfg.Engine.Preset = 640, 360, "ultrafast"
	small := &engine.Rendition{Width: 320, Height: 180, VideoBitrate: 300_000}
	sameAsMain := &engine.Rendition{Width: 640, Height: 360}
	a, b, c := &recordingWorker{}, &recordingWorker{}, &recordingWorker{}
	oa, ob := output("a", a), output("b", b)
	oa.Video, ob.Video = small, sameAsMain
	cfg.Outputs = []Output{oa, ob}
	s := &Session{Config: cfg}
	if err := s.Initialize(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.EncoderOf("a") != "r1" || s.EncoderOf("b") != engine.MainID {
		t.Fatalf("encoders a=%q b=%q, want r1 and main", s.EncoderOf("a"), s.EncoderOf("b"))
	}
	waitVideo(t, "a", a, 0, 10, 5*time.Second)
	oc := output("c", c)
	oc.Video = &engine.Rendition{Width: 320, Height: 180, VideoBitrate: 300_000}
	if err := s.AddOutput(oc); err != nil {
		t.Fatal(err)
	}
	waitVideo(t, "c", c, 0, 5, 2*time.Second)
	od := output("d", &recordingWorker{})
	od.Video = &engine.Rendition{Width: 426, Height: 240, Layout: engine.LayoutVertical}
	err = s.AddOutput(od)
	if !errors.Is(err, ErrNeedsRestart) || !strings.Contains(err.Error(), `destination "d" needs its own encoder (426x240@30`) {
		t.Fatalf("AddOutput of a new rendition = %v, want ErrNeedsRestart naming it", err)
	}
	st := s.Stats()
	if len(st.Encoders) != 2 || strings.Join(st.Encoders[1].Destinations, ",") != "a,c" ||
		strings.Join(st.Encoders[0].Destinations, ",") != "b" || st.Encoders[1].Size != "320x180" {
		t.Fatalf("encoders %+v", st.Encoders)
	}
}

// TestRenditionCodecRefusedBeforeLive: HEVC to Twitch is refused by
// FromProfile (before anything starts) naming the service; a rendition
// equal to the main one needs no encoder of its own.
func TestRenditionCodecRefusedBeforeLive(t *testing.T) {
	p := testProfile(t, t.TempDir()+"/rec.mkv")
	p.Destinations = append(p.Destinations, profile.Destination{Name: "Twitch", Kind: profile.KindRTMP, Enabled: true,
		RTMP:  &profile.RTMP{Service: "twitch", URL: "rtmp://live.twitch.tv/app", Key: "k"},
		Video: &profile.Video{Codec: profile.CodecHEVC}})
	_, err := FromProfile(p)
	if err == nil || !strings.Contains(err.Error(), `destination "Twitch": Twitch does not take hevc video`) {
		t.Fatalf("FromProfile = %v, want HEVC refused for Twitch", err)
	}
	p.Destinations[1].Video = &profile.Video{FPS: p.Encoder.FPS}
	cfg, err := FromProfile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := &Session{Config: cfg}
	if extra := s.planRenditions(); len(extra) != 0 || s.encoderOf["Twitch"] != engine.MainID {
		t.Fatalf("a rendition equal to the main one got its own encoder: %+v", extra)
	}
}

// TestRenditionHEVCAndAV1Destinations: HEVC and AV1 renditions go to
// YouTube and custom RTMP servers (Enhanced RTMP) with libx265 and
// libsvtav1 chosen for them, HEVC to RTP (native and mpegts) and SRT
// with libx265; AV1 to RTP or SRT, HEVC/AV1 to WHIP, a recording format
// that cannot hold the codec and an HEVC encoder named for AV1 are refused
// before going live, naming what to do.
func TestRenditionHEVCAndAV1Destinations(t *testing.T) {
	p := testProfile(t, t.TempDir()+"/rec.mkv")
	for _, c := range []struct{ service, codec, encoder, want string }{
		{"youtube", profile.CodecHEVC, "", "libx265"},
		{"custom", profile.CodecAV1, "libx264", "libsvtav1"},
		{"youtube", profile.CodecAV1, "", "libsvtav1"},
	} {
		rec := profile.Destination{Name: "rec", Kind: profile.KindRecord, Record: &profile.Record{Path: "/tmp/x.mkv"},
			Video: &profile.Video{Codec: c.codec}}
		if r, err := DestinationVideo(p, rec); err != nil || r == nil || r.Encoder == "" {
			t.Errorf("%s recording to mkv: %+v, %v", c.codec, r, err)
		}
		d := profile.Destination{Name: "yt", Kind: profile.KindRTMP, Enabled: true,
			RTMP:  &profile.RTMP{Service: c.service, URL: "rtmp://a.rtmp.youtube.com/live2", Key: "k"},
			Video: &profile.Video{Codec: c.codec, Encoder: c.encoder}}
		r, err := DestinationVideo(p, d)
		if err != nil || r == nil || r.Encoder != c.want {
			t.Errorf("%s %s: rendition %+v, %v; want encoder %s", c.service, c.codec, r, err, c.want)
		}
	}
	for _, d := range []profile.Destination{
		{Name: "rtp", Kind: profile.KindRTP, RTP: &profile.RTP{Host: "127.0.0.1", Port: 5004, Mode: "native"}},
		{Name: "ts", Kind: profile.KindRTP, RTP: &profile.RTP{Host: "127.0.0.1", Port: 5004, Mode: "mpegts"}},
		{Name: "srt", Kind: profile.KindSRT, SRT: &profile.SRT{URL: "srt://127.0.0.1:9000"}},
	} {
		d.Video = &profile.Video{Codec: profile.CodecHEVC}
		if r, err := DestinationVideo(p, d); err != nil || r == nil || r.Encoder != "libx265" {
			t.Errorf("hevc to %s: rendition %+v, %v; want libx265", d.Name, r, err)
		}
	}
	for _, c := range []struct {
		d    profile.Destination
		want string
	}{
		{profile.Destination{Name: "rtp", Kind: profile.KindRTP, RTP: &profile.RTP{Host: "127.0.0.1", Port: 5004},
			Video: &profile.Video{Codec: profile.CodecAV1}},
			"AV1 over RTP is not supported: use an RTMP destination or a recording; set dest.rtp.codec to h264"},
		{profile.Destination{Name: "srt", Kind: profile.KindSRT, SRT: &profile.SRT{URL: "srt://127.0.0.1:9000"},
			Video: &profile.Video{Codec: profile.CodecAV1}}, "AV1 over SRT (MPEG-TS) is not supported"},
		{profile.Destination{Name: "whip", Kind: profile.KindWHIP, WHIP: &profile.WHIP{URL: "http://127.0.0.1:8889/a/whip"},
			Video: &profile.Video{Codec: profile.CodecHEVC}}, "HEVC over WHIP is not supported in this version"},
		{profile.Destination{Name: "rec", Kind: profile.KindRecord, Record: &profile.Record{Path: "/tmp/x.ts"},
			Video: &profile.Video{Codec: profile.CodecAV1}}, "set dest.rec.codec to h264"},
		{profile.Destination{Name: "flv", Kind: profile.KindRecord, Record: &profile.Record{Path: "/tmp/x.flv"},
			Video: &profile.Video{Codec: profile.CodecHEVC}}, "mkv/mp4 recordings carry it"},
		{profile.Destination{Name: "yt", Kind: profile.KindRTMP, RTMP: &profile.RTMP{Service: "youtube", URL: "rtmp://a/b", Key: "k"},
			Video: &profile.Video{Codec: profile.CodecAV1, Encoder: "libx265"}}, "encoder libx265 does not encode av1 video"},
	} {
		if _, err := DestinationVideo(p, c.d); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.d.Name, err, c.want)
		}
	}
}
