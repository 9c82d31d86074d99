package ui

import (
	"context"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"strings"
	"sync"
	"time"

	"golive/app/profile"
	"golive/app/session"
	"golive/media/engine"
	"golive/media/unit"
	"golive/outputs/record"
	"golive/outputs/rtmp"
)

// sessionEngine starts real sessions (app/session) for the window.
type sessionEngine struct {
	log *slog.Logger
	// devicesOnce caches the device lists (listing probes the hardware).
	devicesOnce sync.Once
	devices     Devices
}

// Start turns p into a session configuration and goes live.
func (e *sessionEngine) Start(p profile.Profile) (Live, error) {
	cfg, err := session.FromProfile(p)
	if err != nil {
		return nil, err
	}
	cfg.Logger = e.log
	cfg.AudioCodecs = profileAudioCodecs(p)
	s := &session.Session{Config: cfg}
	if err := s.Initialize(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &liveSession{s: s, prof: p.Clone(), ctx: ctx, cancel: cancel}, nil
}

// profileAudioCodecs lists the audio codecs every destination of p needs,
// enabled or not, so that one switched on while live finds its encoder.
func profileAudioCodecs(p profile.Profile) []unit.Codec {
	var out []unit.Codec
	for _, d := range p.Destinations {
		if o, err := session.DestinationOutput(d); err == nil && o.AudioCodec != 0 {
			out = append(out, o.AudioCodec)
		}
	}
	return out
}

// Devices lists screens, microphones and H.264 encoders once.
func (e *sessionEngine) Devices() Devices {
	e.devicesOnce.Do(func() {
		e.devices.Screens = screenChoices(engine.ListScreens())
		mics, err := engine.ListMicrophones()
		if err != nil {
			e.log.Warn("listing microphones", "err", err)
		}
		for _, m := range mics {
			e.devices.Microphones = append(e.devices.Microphones, m.Name)
		}
		for _, enc := range engine.ListEncoders() {
			if enc.Codec == unit.CodecH264 && enc.Unsupported == "" {
				e.devices.Encoders = append(e.devices.Encoders, enc.Name)
			}
		}
	})
	return e.devices
}

// screenChoices offers each display whole, and each of its monitors
// when it has several.
func screenChoices(screens []engine.Screen) []Screen {
	perDisplay := map[string]int{}
	size := map[string]image.Rectangle{}
	for _, s := range screens {
		perDisplay[s.Display]++
		size[s.Display] = size[s.Display].Union(s.Bounds)
	}
	var out []Screen
	seen := map[string]bool{}
	for _, s := range screens {
		if !seen[s.Display] {
			seen[s.Display] = true
			label := s.Display
			if perDisplay[s.Display] > 1 {
				label += " (all monitors)"
			} else if s.Name != "" && s.Name != s.Display {
				label = s.Name + " (" + s.Display + ")"
			}
			out = append(out, Screen{Label: label, Display: s.Display, Size: size[s.Display].Max})
		}
		if perDisplay[s.Display] > 1 {
			b := s.Bounds
			out = append(out, Screen{Label: fmt.Sprintf("%s %dx%d (%s)", s.Name, b.Dx(), b.Dy(), s.Display),
				Display: s.Display, Region: fmt.Sprintf("%d,%d,%d,%d", b.Min.X, b.Min.Y, b.Dx(), b.Dy()),
				Size: size[s.Display].Max})
		}
	}
	return out
}

// Check compares every enabled RTMP destination with its service's
// published limits.
func (e *sessionEngine) Check(p profile.Profile) []string {
	var out []string
	for _, d := range p.Destinations {
		if !d.Enabled || d.RTMP == nil {
			continue
		}
		preset, ok := rtmp.PresetByID(d.RTMP.Service)
		if !ok || preset.ID == rtmp.PresetCustom {
			continue
		}
		if preset.ID == rtmp.PresetYouTube && rtmpType(d.RTMP.URL) == typeRTMPS {
			preset, _ = rtmp.PresetByID(rtmp.PresetYouTubeRTMPS)
		}
		// The destination's own rendition is what it gets: its limits
		// are checked against that, not the main encode.
		r := p.Rendition(&d)
		err := preset.Check(rtmp.Settings{URL: d.RTMP.URL, VideoCodec: session.VideoCodec(r.Codec), AudioCodec: unit.CodecAAC,
			VideoBitrate: r.VideoBitrate, AudioBitrate: p.Encoder.AudioBitrate,
			KeyframeInterval: keyframeInterval(p), Width: r.Width, Height: r.Height,
			FPS: r.FPS, AudioSampleRate: 48000})
		for _, fe := range unwrapAll(err) {
			// The preset names its service; say it once, by the
			// destination's name.
			msg := strings.TrimPrefix(fe.Error(), preset.Name+": ")
			out = append(out, fmt.Sprintf("%s: %s", d.Name, msg))
		}
	}
	return append(out, recordSpaceWarnings(p)...)
}

// CheckCPU is the Go Live check's estimate of the encoders' CPU against
// this machine's cores (the same as `golive live`'s): a warning, or "".
func (e *sessionEngine) CheckCPU(p profile.Profile) string {
	return session.CheckCPU(session.ProfileEncoders(p))
}

// recordSpaceWarnings says, before going live, which enabled recording's
// folder has room for less than about 30 minutes at p's bit rates.
func recordSpaceWarnings(p profile.Profile) []string {
	var out []string
	for _, d := range p.Destinations {
		if !d.Enabled || d.Record == nil {
			continue
		}
		r := &record.Recorder{Path: d.Record.Path, Format: d.Record.Format}
		if msg := r.SpaceWarning(p.Encoder.VideoBitrate + p.Encoder.AudioBitrate); msg != "" {
			out = append(out, fmt.Sprintf("%s: %s", d.Name, msg))
		}
	}
	return out
}

// keyframeInterval is the GOP the session will use for p.
func keyframeInterval(p profile.Profile) time.Duration {
	if k := session.EngineConfig(p).KeyframeInterval; k > 0 {
		return k
	}
	return defaultKeyframeInterval
}

// defaultKeyframeInterval is the engine's default GOP duration.
const defaultKeyframeInterval = 2 * time.Second

// unwrapAll splits an errors.Join into its errors.
func unwrapAll(err error) []error {
	if err == nil {
		return nil
	}
	var j interface{ Unwrap() []error }
	if errors.As(err, &j) {
		return j.Unwrap()
	}
	return []error{err}
}

// liveSession adapts a running session.Session to Live.
type liveSession struct {
	s *session.Session
	// prof is the profile it went live with: its encoder settings (locked
	// while live) resolve the renditions of destinations changed live.
	prof   profile.Profile
	ctx    context.Context
	cancel context.CancelFunc
}

func (l *liveSession) Stats() Stats {
	st := l.s.Stats()
	return Stats{ElapsedS: st.ElapsedS, FPS: st.FPS, Captured: st.Frames.Captured, Encoded: st.Frames.Encoded,
		Skipped: st.Frames.Skipped, PeakDB: st.Audio.PeakDB, RMSDB: st.Audio.RMSDB, AudioNote: st.Audio.Note,
		UploadKbps: st.UploadKbps, Outputs: st.Outputs, Error: st.Error}
}

func (l *liveSession) RetryNow(name string) bool { return l.s.RetryNow(name) }

// RestoreToken is the desktop portal's token for sharing the same monitor
// next time ("" unless the screen comes through the portal).
func (l *liveSession) RestoreToken() string         { return l.s.RestoreToken() }
func (l *liveSession) Done() <-chan struct{}        { return l.s.Done() }
func (l *liveSession) Err() error                   { return l.s.Err() }
func (l *liveSession) Preview() (*image.RGBA, bool) { return l.s.Preview() }

// CanMute reports whether the session can mute the microphone live.
func (l *liveSession) CanMute() bool { return true }

// SetMuted mutes or unmutes the audio sent to the destinations.
func (l *liveSession) SetMuted(m bool) { l.s.SetMuted(m) }

// Close stops any player started from the window, then ends the stream.
func (l *liveSession) Close() {
	l.cancel()
	l.s.Close()
}

// SDPPath writes the destination's SDP file and returns its path.
func (l *liveSession) SDPPath(name string) (string, error) { return l.s.SDPPath(name) }

// OpenInVLC starts VLC on the destination; it closes with the stream.
func (l *liveSession) OpenInVLC(name string) error { return l.s.OpenInVLC(l.ctx, name) }

// StartOutput starts a stopped destination again.
func (l *liveSession) StartOutput(name string) error { return l.s.StartOutput(name) }

// StopOutput stops one destination.
func (l *liveSession) StopOutput(name string) error { return l.s.StopOutput(name) }

// RemoveOutput stops a destination and removes it from the stream.
func (l *liveSession) RemoveOutput(name string) error { return l.s.RemoveOutput(name) }

// AddOutput adds a destination to the running stream.
func (l *liveSession) AddOutput(d profile.Destination) error {
	o, err := session.ProfileOutput(l.prof, d)
	if err != nil {
		return err
	}
	return l.s.AddOutput(o)
}

// UpdateOutput restarts a destination with d's settings.
func (l *liveSession) UpdateOutput(d profile.Destination) error {
	o, err := session.ProfileOutput(l.prof, d)
	if err != nil {
		return err
	}
	return l.s.UpdateOutput(o)
}

// ServesVideo reports whether the running stream already encodes d's
// rendition (so that d can move to it while live).
func (l *liveSession) ServesVideo(d profile.Destination) bool {
	o, err := session.ProfileOutput(l.prof, d)
	return err == nil && l.s.ServesVideo(o)
}
