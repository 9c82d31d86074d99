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
