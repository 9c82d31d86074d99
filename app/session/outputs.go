package session

import (
	"errors"
	"fmt"
	"image"
	"path/filepath"
	"strings"

	"golive/app/profile"
	"golive/app/secret"
	"golive/media/engine"
	"golive/media/unit"
	"golive/outputs/record"
	"golive/outputs/rtmp"
	"golive/outputs/rtp"
	"golive/outputs/rtptarget"
	"golive/outputs/srt"
	"golive/outputs/whip"
)

// FromProfile turns a profile into a session configuration: its capture
// and encoder settings and one output per enabled destination. The profile
// is validated first (the same checks as the window and `golive profile`).
func FromProfile(p profile.Profile) (Config, error) {
	if err := p.ValidateForLive(); err != nil {
		return Config{}, fmt.Errorf("profile %q: %w", p.Name, err)
	}
	cfg := Config{Engine: EngineConfig(p)}
	for _, d := range p.Destinations {
		if !d.Enabled {
			continue
		}
		o, err := ProfileOutput(p, d)
		if err != nil {
			return Config{}, err
		}
		o.Adaptive = o.Video != nil && d.Adaptive()
		cfg.Outputs = append(cfg.Outputs, o)
	}
	return cfg, nil
}

// ProfileOutput maps destination d of profile p to an output reading the
// encoder of its rendition (DestinationOutput and DestinationVideo): what
// Initialize and the live-control calls (AddOutput, UpdateOutput) take.
func ProfileOutput(p profile.Profile, d profile.Destination) (Output, error) {
	o, err := DestinationOutput(d)
	if err != nil {
		return Output{}, fmt.Errorf("destination %q: %w", d.Name, err)
	}
	if o.Video, err = DestinationVideo(p, d); err != nil {
		return Output{}, fmt.Errorf("destination %q: %w", d.Name, err)
	}
	if o.Fallback, err = FallbackVideo(p, d); err != nil {
		return Output{}, fmt.Errorf("destination %q: %w", d.Name, err)
	}
	return o, nil
}

// FallbackVideo maps a destination's fallback rendition (nil: none) and
// refuses, before going live, one that names the destination itself or
// nothing known (profile.Fallback), that its service or protocol does not
// take, or that this version cannot move to: a destination keeps its
// codec while live (H.264, HEVC or AV1 alike: the new parameter sets
// travel in band, a new sequence start over RTMP), and only destinations
// whose path is measured move (canFallBack).
func FallbackVideo(p profile.Profile, d profile.Destination) (*engine.Rendition, error) {
	r, ok, err := p.Fallback(&d)
	if err != nil {
		return nil, fmt.Errorf("dest.%s.fallback: %w", d.Name, err)
	}
	if !ok {
		return nil, nil
	}
	name := d.Video.Fallback
	codec := VideoCodec(r.Codec)
	if d.RTMP != nil {
		if err := rtmp.CheckCodec(d.RTMP.Service, codec); err != nil {
			svc, _ := rtmp.PresetByID(d.RTMP.Service)
			return nil, fmt.Errorf("dest.%s.fallback %q: %s does not take %s video (it takes %s): choose an H.264 rendition",
				d.Name, name, svc.Name, codec, rtmp.CodecList(svc.VideoCodecs))
		}
	}
	if err := canFallBack(d); err != nil {
		return nil, fmt.Errorf("dest.%s.fallback %q: %w; unset it", d.Name, name, err)
	}
	if own := VideoCodec(p.Rendition(&d).Codec); codec != own {
		return nil, fmt.Errorf("dest.%s.fallback %q: moving between %s and %s video is not supported in this version: "+
			"a destination keeps its codec while live; choose a fallback rendition with codec %s",
			d.Name, name, own, codec, own)
	}
	if err := checkCarries(d, codec); err != nil {
		return nil, fmt.Errorf("dest.%s.fallback %q: %w", d.Name, name, err)
	}
	enc, err := encoderFor(codec, r.Encoder)
	if err != nil {
		return nil, fmt.Errorf("dest.%s.fallback %q: %w", d.Name, name, err)
	}
	return &engine.Rendition{Width: r.Width, Height: r.Height, FPS: r.FPS, VideoBitrate: r.VideoBitrate,
		Encoder: enc, Preset: r.Preset, Layout: r.Layout}, nil
}

// canFallBack refuses a destination that cannot move to a fallback
// rendition. RTMP/RTMPS (a new sequence header or start), SRT and RTP in
// MPEG-TS mode, and WHIP (H.264: the parameter sets travel in band at the
// key frame) move; native RTP announces them in its SDP file once.
func canFallBack(d profile.Destination) error {
	switch {
	case d.Kind == profile.KindRTMP && d.RTMP != nil, d.Kind == profile.KindSRT && d.SRT != nil,
		d.Kind == profile.KindWHIP:
		return nil
	case d.Kind == profile.KindRTP && d.RTP != nil:
		if d.RTP.Mode == "" || d.RTP.Mode == rtptarget.ModeMPEGTS {
			return nil
		}
		return errors.New("native RTP announces the video's parameters once, in its SDP file, so it cannot move " +
			"to another rendition: use mode mpegts (--rtp …?mode=mpegts)")
	}
	return fmt.Errorf("only RTMP/RTMPS, SRT, RTP (mpegts) and WHIP destinations move to a fallback rendition, not %s", d.Kind)
}

// VideoCodec maps a profile codec name ("" is H.264).
func VideoCodec(name string) unit.Codec {
	switch name {
	case profile.CodecHEVC:
		return unit.CodecHEVC
	case profile.CodecAV1:
		return unit.CodecAV1
	}
	return unit.CodecH264
}

// DestinationVideo maps a destination's own rendition (nil: the main
// one) and refuses, before going live, a codec its service does not take
// or this build cannot encode.
func DestinationVideo(p profile.Profile, d profile.Destination) (*engine.Rendition, error) {
	r := p.Rendition(&d)
	codec := VideoCodec(r.Codec)
	if d.RTMP != nil {
		if err := rtmp.CheckCodec(d.RTMP.Service, codec); err != nil {
			return nil, err
		}
	}
	if err := checkCarries(d, codec); err != nil {
		return nil, err
	}
	if !d.Video.HasRendition() {
		return nil, nil
	}
	enc, err := encoderFor(codec, r.Encoder)
	if err != nil {
		return nil, fmt.Errorf("dest.%s.encoder: %w", d.Name, err)
	}
	return &engine.Rendition{Width: r.Width, Height: r.Height, FPS: r.FPS, VideoBitrate: r.VideoBitrate,
		Encoder: enc, Preset: r.Preset, Layout: r.Layout}, nil
}

// checkCarries refuses, before going live, a video codec destination d
// cannot carry. H.264 goes everywhere; HEVC to RTMP/RTMPS (Enhanced RTMP),
// native RTP (RFC 7798), MPEG-TS over RTP or SRT, and mkv/mp4/ts
// recordings; AV1 to RTMP/RTMPS and mkv/mp4 recordings.
func checkCarries(d profile.Destination, codec unit.Codec) error {
	if codec == unit.CodecH264 {
		return nil
	}
	fix := fmt.Sprintf("; set dest.%s.codec to h264", d.Name)
	switch {
	case d.Kind == profile.KindRTMP && d.RTMP != nil:
		return nil
	case d.Kind == profile.KindRecord && d.Record != nil:
		f := d.Record.Format
		if f == "" {
			f = strings.ToLower(strings.TrimPrefix(filepath.Ext(d.Record.Path), "."))
		}
		if f == "mkv" || f == "mp4" || (f == "ts" && codec == unit.CodecHEVC) {
			return nil
		}
		return fmt.Errorf("%s video: only mkv/mp4 recordings carry it (HEVC also ts)%s", codec, fix)
	case d.Kind == profile.KindRTP && d.RTP != nil:
		if codec == unit.CodecHEVC {
			return nil
		}
		return fmt.Errorf("AV1 over RTP is not supported: use an RTMP destination or a recording%s", fix)
	case d.Kind == profile.KindSRT && d.SRT != nil:
		if err := srt.CheckVideo(codec); err != nil {
			return fmt.Errorf("%w%s", err, fix)
		}
		return nil
	case d.Kind == profile.KindWHIP:
		other := "an RTMP destination or a recording"
		if codec == unit.CodecHEVC {
			other = "an RTMP, RTP or SRT destination or a recording"
		}
		return fmt.Errorf("%s over WHIP is not supported in this version: use %s%s", strings.ToUpper(codec.String()), other, fix)
	}
	return fmt.Errorf("%s video: this destination does not carry it%s", codec, fix)
}

// encoderFor picks the encoder of a rendition: an H.264 encoder (or
// "auto") named for an HEVC or AV1 rendition becomes libx265 or
// libsvtav1; an HEVC/AV1 encoder for another codec is refused.
func encoderFor(codec unit.Codec, enc string) (string, error) {
	if enc == "auto" {
		enc = ""
	}
	isHEVC := enc == "libx265" || strings.HasPrefix(enc, "hevc_")
	isAV1 := enc == "libsvtav1" || strings.HasPrefix(enc, "av1_")
	switch {
	case codec == unit.CodecHEVC && !isHEVC && !isAV1:
		return "libx265", nil
	case codec == unit.CodecAV1 && !isHEVC && !isAV1:
		return "libsvtav1", nil
	case codec == unit.CodecHEVC && isAV1, codec == unit.CodecAV1 && isHEVC,
		codec == unit.CodecH264 && (isHEVC || isAV1):
		return "", fmt.Errorf("encoder %s does not encode %s video", enc, codec)
	}
	return enc, nil
}

// EngineConfig maps a profile's capture and encoder settings.
func EngineConfig(p profile.Profile) engine.Config {
	c := p.Capture
	e := p.Encoder
	cfg := engine.Config{
		Video: engine.VideoSourceConfig{Kind: c.Source, Display: c.Display, Cursor: c.Cursor,
			RestoreToken: c.PortalRestoreToken},
		Audio: engine.AudioSourceConfig{Kind: c.Audio, Device: c.AudioDevice},
		Width: e.Width, Height: e.Height, FPS: e.FPS, VideoBitrate: e.VideoBitrate,
		Encoder: e.Encoder, Preset: e.Preset, AudioBitrate: e.AudioBitrate,
	}
	if cfg.Encoder == "auto" {
		cfg.Encoder = ""
	}
	if r, err := profile.ParseRegion(c.Region); err == nil {
		cfg.Video.Region = image.Rect(r.X, r.Y, r.X+r.W, r.Y+r.H)
	}
	return cfg
}

// DestinationOutput builds the output of one profile destination.
func DestinationOutput(d profile.Destination) (Output, error) {
	switch {
	case d.Kind == profile.KindRTMP && d.RTMP != nil:
		r := d.RTMP
		registerRTMPKey(r.URL, r.Key)
		if _, err := rtmp.ParseURL(r.URL, r.Key); err != nil {
			return Output{}, err
		}
		pub := &rtmp.Publisher{URL: r.URL, Key: r.Key, CAFile: r.CAFile, PinSHA256: r.PinSHA256}
		return Output{Name: d.Name, Kind: "rtmp", Worker: pub, Reader: rtmp.ReaderConfig(d.Name),
			AudioCodec: unit.CodecAAC}, nil
	case d.Kind == profile.KindRTP && d.RTP != nil:
		r := d.RTP
		t := &rtp.Target{Config: rtptarget.Config{Name: d.Name, Host: r.Host, Port: r.Port, Mode: r.Mode, MTU: r.MTU,
			TTL: r.TTL, RTCPMux: r.RTCPMux, SRTP: r.SRTP, SRTPRCC: r.SRTP && r.SRTPVLC, SDPPath: r.SDPPath}}
		return Output{Name: d.Name, Kind: "rtp", Worker: t, Reader: t.ReaderConfig(),
			AudioCodec: t.AudioCodec(), MaxAudioPacket: t.MaxAudioPacket()}, nil
	case d.Kind == profile.KindRecord && d.Record != nil:
		rec := &record.Recorder{Path: d.Record.Path, Format: d.Record.Format}
		return Output{Name: d.Name, Kind: "record", Worker: rec, Reader: record.ReaderConfig(d.Name),
			AudioCodec: record.AudioCodec()}, nil
	case d.Kind == profile.KindSRT && d.SRT != nil:
		return srtOutput(d)
	case d.Kind == profile.KindWHIP && d.WHIP != nil:
		secret.Register(d.WHIP.Key)
		w := &whip.Publisher{URL: d.WHIP.URL, Token: d.WHIP.Key}
		if err := w.Check(); err != nil {
			return Output{}, err
		}
		return Output{Name: d.Name, Kind: "whip", Worker: w, Reader: whip.ReaderConfig(d.Name),
			AudioCodec: whip.AudioCodec()}, nil
	}
	return Output{}, fmt.Errorf("unknown destination kind %q", d.Kind)
}

// srtOutput builds an SRT destination: the URL with the passphrase and
// latency of the profile.
func srtOutput(d profile.Destination) (Output, error) {
	u, err := d.SRT.Endpoint()
	if err != nil {
		return Output{}, err
	}
	secret.Register(d.SRT.Secrets()...)
	p := &srt.Publisher{URL: d.SRT.URL, Passphrase: u.Passphrase, Latency: u.Latency}
	return Output{Name: d.Name, Kind: "srt", Worker: p, Reader: srt.ReaderConfig(d.Name),
		AudioCodec: srt.AudioCodec()}, nil
}
