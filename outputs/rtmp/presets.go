package rtmp

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"golive/media/unit"
)

// Preset describes a streaming service: where to publish and the limits
// its ingest documents. Zero limits mean "no limit".
type Preset struct {
	ID   string
	Name string
	// URL is the ingest server URL, without the stream key.
	URL string
	// RTMPSOnly refuses rtmp:// URLs.
	RTMPSOnly bool
	// MaxVideoBitrate and MaxAudioBitrate are in bits per second.
	MaxVideoBitrate int
	MaxAudioBitrate int
	// MaxKeyframeInterval is the longest accepted key frame interval.
	MaxKeyframeInterval time.Duration
	MaxWidth, MaxHeight int
	MaxFPS              int
	VideoCodecs         []unit.Codec
	AudioCodecs         []unit.Codec
	// AudioSampleRates lists accepted AAC sample rates (nil: any).
	AudioSampleRates []int
}

// Service preset ids.
const (
	PresetYouTube      = "youtube"
	PresetYouTubeRTMPS = "youtube-rtmps"
	PresetTwitch       = "twitch"
	PresetFacebook     = "facebook"
	PresetKick         = "kick"
	PresetCustom       = "custom"
)

var h264Only, aacOnly = []unit.Codec{unit.CodecH264}, []unit.Codec{unit.CodecAAC}

// youTubeVideo: YouTube takes HEVC and AV1 over Enhanced RTMP besides
// H.264; Twitch, Facebook and Kick take H.264 only.
var youTubeVideo = []unit.Codec{unit.CodecH264, unit.CodecHEVC, unit.CodecAV1}

// Presets are the built-in services, from their published encoder
// settings (YouTube Live encoder settings, Twitch broadcasting guidelines,
// Facebook Live video requirements, Kick's recommended OBS settings).
var Presets = []Preset{
	{ID: PresetYouTube, Name: "YouTube (RTMP)", URL: "rtmp://a.rtmp.youtube.com/live2",
		MaxVideoBitrate: 51_000_000, MaxAudioBitrate: 384_000, MaxKeyframeInterval: 4 * time.Second,
		MaxWidth: 3840, MaxHeight: 2160, MaxFPS: 60, VideoCodecs: youTubeVideo, AudioCodecs: aacOnly,
		AudioSampleRates: []int{44100, 48000}},
	{ID: PresetYouTubeRTMPS, Name: "YouTube (RTMPS)", URL: "rtmps://a.rtmps.youtube.com:443/live2", RTMPSOnly: true,
		MaxVideoBitrate: 51_000_000, MaxAudioBitrate: 384_000, MaxKeyframeInterval: 4 * time.Second,
		MaxWidth: 3840, MaxHeight: 2160, MaxFPS: 60, VideoCodecs: youTubeVideo, AudioCodecs: aacOnly,
		AudioSampleRates: []int{44100, 48000}},
	{ID: PresetTwitch, Name: "Twitch", URL: "rtmp://live.twitch.tv/app",
		MaxVideoBitrate: 6_000_000, MaxAudioBitrate: 320_000, MaxKeyframeInterval: 2 * time.Second,
		MaxWidth: 1920, MaxHeight: 1080, MaxFPS: 60, VideoCodecs: h264Only, AudioCodecs: aacOnly,
		AudioSampleRates: []int{44100, 48000}},
	{ID: PresetFacebook, Name: "Facebook Live", URL: "rtmps://live-api-s.facebook.com:443/rtmp", RTMPSOnly: true,
		MaxVideoBitrate: 9_000_000, MaxAudioBitrate: 256_000, MaxKeyframeInterval: 2 * time.Second,
		MaxWidth: 1920, MaxHeight: 1080, MaxFPS: 60, VideoCodecs: h264Only, AudioCodecs: aacOnly,
		AudioSampleRates: []int{44100, 48000}},
	// Kick shows a per-account ingest URL in its dashboard; this is the
	// shared global endpoint it documents.
	{ID: PresetKick, Name: "Kick", URL: "rtmps://fa723fc1b171.global-contribute.live-video.net:443/app", RTMPSOnly: true,
		MaxVideoBitrate: 8_000_000, MaxAudioBitrate: 160_000, MaxKeyframeInterval: 2 * time.Second,
		MaxWidth: 1920, MaxHeight: 1080, MaxFPS: 60, VideoCodecs: h264Only, AudioCodecs: aacOnly,
		AudioSampleRates: []int{44100, 48000}},
	// A custom server may take Enhanced RTMP: every video codec GoLive encodes.
	{ID: PresetCustom, Name: "Custom RTMP server", VideoCodecs: youTubeVideo, AudioCodecs: aacOnly},
}

// PresetByID returns the preset with the given id.
func PresetByID(id string) (Preset, bool) {
	i := slices.IndexFunc(Presets, func(p Preset) bool { return p.ID == id })
	if i < 0 {
		return Preset{}, false
	}
	return Presets[i], true
}

// CheckCodec refuses, before going live, a video codec the service does
// not take (nil for an unknown service or a custom server).
func CheckCodec(service string, c unit.Codec) error {
	p, ok := PresetByID(service)
	if !ok || p.ID == PresetCustom || slices.Contains(p.VideoCodecs, c) {
		return nil
	}
	return fmt.Errorf("%s does not take %s video (it takes %s): set this destination's codec to %s",
		p.Name, c, CodecList(p.VideoCodecs), p.VideoCodecs[0])
}

// CodecList names codecs for people: "h264", "h264, hevc, av1".
func CodecList(cs []unit.Codec) string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.String()
	}
	return strings.Join(names, ", ")
}

// Settings are the stream settings checked against a preset.
type Settings struct {
	// URL is the server URL in use (the preset's when empty).
	URL              string
	VideoCodec       unit.Codec
	AudioCodec       unit.Codec
	VideoBitrate     int // bits per second
	AudioBitrate     int // bits per second
	KeyframeInterval time.Duration
	Width, Height    int
	FPS              int
	AudioSampleRate  int
}

// Check returns nil when s respects every limit of the preset, or an
// error listing each broken limit in its own sentence.
func (p Preset) Check(s Settings) error {
	var errs []error
	add := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{p.Name}, args...)...))
	}
	url := s.URL
	if url == "" {
		url = p.URL
	}
	if url == "" {
		add("a server URL is required")
	} else if ep, err := ParseURL(url, "key"); err != nil {
		add("%v", err)
	} else if p.RTMPSOnly && ep.Scheme != "rtmps" {
		add("only rtmps:// is accepted")
	}
	if len(p.VideoCodecs) > 0 && s.VideoCodec != 0 && !slices.Contains(p.VideoCodecs, s.VideoCodec) {
		add("video codec %s is not accepted (use %v)", s.VideoCodec, p.VideoCodecs)
	}
	if len(p.AudioCodecs) > 0 && s.AudioCodec != 0 && !slices.Contains(p.AudioCodecs, s.AudioCodec) {
		add("audio codec %s is not accepted (use %v)", s.AudioCodec, p.AudioCodecs)
	}
	if p.MaxVideoBitrate > 0 && s.VideoBitrate > p.MaxVideoBitrate {
		add("video bitrate %d kbps is above the maximum of %d kbps", s.VideoBitrate/1000, p.MaxVideoBitrate/1000)
	}
	if p.MaxAudioBitrate > 0 && s.AudioBitrate > p.MaxAudioBitrate {
		add("audio bitrate %d kbps is above the maximum of %d kbps", s.AudioBitrate/1000, p.MaxAudioBitrate/1000)
	}
	if p.MaxKeyframeInterval > 0 && (s.KeyframeInterval <= 0 || s.KeyframeInterval > p.MaxKeyframeInterval) {
		add("key frame interval %v must be set and at most %v", s.KeyframeInterval, p.MaxKeyframeInterval)
	}
	if p.MaxWidth > 0 && (s.Width > p.MaxWidth || s.Height > p.MaxHeight) {
		add("resolution %dx%d is above the maximum of %dx%d", s.Width, s.Height, p.MaxWidth, p.MaxHeight)
	}
	if p.MaxFPS > 0 && s.FPS > p.MaxFPS {
		add("%d fps is above the maximum of %d fps", s.FPS, p.MaxFPS)
	}
	if len(p.AudioSampleRates) > 0 && s.AudioSampleRate != 0 && !slices.Contains(p.AudioSampleRates, s.AudioSampleRate) {
		add("audio sample rate %d Hz is not accepted (use %v)", s.AudioSampleRate, p.AudioSampleRates)
	}
	return errors.Join(errs...)
}
