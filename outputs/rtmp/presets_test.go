package rtmp

import (
	"strings"
	"testing"
	"time"

	"golive/media/unit"
)

func goodSettings() Settings {
	return Settings{VideoCodec: unit.CodecH264, AudioCodec: unit.CodecAAC, VideoBitrate: 4_500_000,
		AudioBitrate: 160_000, KeyframeInterval: 2 * time.Second, Width: 1920, Height: 1080, FPS: 30,
		AudioSampleRate: 48000}
}

func TestPresetsAcceptGoodSettings(t *testing.T) {
	for _, p := range Presets {
		s := goodSettings()
		if p.ID == PresetCustom {
			s.URL = "rtmp://example.com/live"
		}
		if err := p.Check(s); err != nil {
			t.Errorf("%s: %v", p.ID, err)
		}
		if p.URL != "" {
			if _, err := ParseURL(p.URL, "key"); err != nil {
				t.Errorf("%s: preset URL: %v", p.ID, err)
			}
		}
	}
}

func TestPresetCheckMessages(t *testing.T) {
	tests := []struct {
		preset string
		change func(*Settings)
		msg    string
	}{
		{PresetTwitch, func(s *Settings) { s.VideoBitrate = 8_000_000 }, "Twitch: video bitrate 8000 kbps is above the maximum of 6000 kbps"},
		{PresetTwitch, func(s *Settings) { s.KeyframeInterval = 4 * time.Second }, "key frame interval 4s must be set and at most 2s"},
		{PresetYouTube, func(s *Settings) { s.KeyframeInterval = 0 }, "key frame interval 0s must be set"},
		{PresetFacebook, func(s *Settings) { s.URL = "rtmp://live-api-s.facebook.com/rtmp" }, "Facebook Live: only rtmps:// is accepted"},
		{PresetFacebook, func(s *Settings) { s.Width, s.Height = 2560, 1440 }, "resolution 2560x1440 is above the maximum of 1920x1080"},
		{PresetKick, func(s *Settings) { s.FPS = 120 }, "120 fps is above the maximum of 60 fps"},
		{PresetYouTubeRTMPS, func(s *Settings) { s.AudioCodec = unit.CodecOpus }, "audio codec opus is not accepted"},
		{PresetYouTube, func(s *Settings) { s.AudioSampleRate = 32000 }, "audio sample rate 32000 Hz is not accepted"},
		{PresetTwitch, func(s *Settings) { s.AudioBitrate = 512_000 }, "audio bitrate 512 kbps is above the maximum of 320 kbps"},
		{PresetCustom, func(*Settings) {}, "Custom RTMP server: a server URL is required"},
		{PresetCustom, func(s *Settings) { s.URL = "http://x/live" }, `unsupported scheme "http"`},
	}
	for _, tt := range tests {
		p, ok := PresetByID(tt.preset)
		if !ok {
			t.Fatalf("no preset %s", tt.preset)
		}
		s := goodSettings()
		tt.change(&s)
		err := p.Check(s)
		if err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: Check = %v, want %q", tt.preset, err, tt.msg)
		}
	}
	if _, ok := PresetByID("nope"); ok {
		t.Error("PresetByID(nope) found a preset")
	}
}
