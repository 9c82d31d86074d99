// Package profile stores GoLive's named broadcast profiles: capture and
// encoder settings plus a list of destinations (RTMP/RTMPS, RTP,
// recording). The store is one JSON file with a schema version, written
// atomically with a backup; stream keys go to the OS keychain when there
// is one. No Fyne import: the CLI and the UI share this package.
package profile

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"

	"golive/app/secret"
)

// Destination kinds.
const (
	KindRTMP   = "rtmp"
	KindRTP    = "rtp"
	KindRecord = "record"
)

// Capture sources and audio inputs.
const (
	SourceScreen = "screen"
	SourceTest   = "test"
	AudioMic     = "mic"
	AudioTest    = "test"
	AudioNone    = "none"
)

// Profile is a named set of destinations plus capture and encoder settings.
type Profile struct {
	Name         string        `json:"name"`
	Capture      Capture       `json:"capture"`
	Encoder      Encoder       `json:"encoder"`
	Destinations []Destination `json:"destinations"`
	// Extra holds fields this version does not know (written by a newer
	// GoLive); they are written back unchanged.
	Extra map[string]json.RawMessage `json:"-"`
}

// Capture says what is captured.
type Capture struct {
	// Source is SourceScreen or SourceTest (synthetic test pattern).
	Source string `json:"source"`
	// Display is the X display or screen index ("" = default).
	Display string `json:"display,omitempty"`
	// Region is "X,Y,W,H" in screen pixels, or "" for the whole screen.
	Region string `json:"region,omitempty"`
	Cursor bool   `json:"cursor"`
	// Audio is AudioMic, AudioTest (a tone) or AudioNone.
	Audio       string `json:"audio"`
	AudioDevice string `json:"audio_device,omitempty"`
	// PortalRestoreToken is the desktop portal's token for sharing the
	// same monitor again without its picker (Wayland); GoLive saves the
	// one each session gets.
	PortalRestoreToken string                     `json:"portal_restore_token,omitempty"`
	Extra              map[string]json.RawMessage `json:"-"`
}

// Encoder holds the (single) encode's settings.
type Encoder struct {
	Width  int `json:"width"`
	Height int `json:"height"`
	FPS    int `json:"fps"`
	// VideoBitrate is in bits per second.
	VideoBitrate int `json:"video_bitrate"`
	// Encoder is the FFmpeg encoder name ("" or "auto" picks one).
	Encoder string `json:"encoder,omitempty"`
	Preset  string `json:"preset,omitempty"`
	// AudioBitrate is in bits per second.
	AudioBitrate int                        `json:"audio_bitrate"`
	Extra        map[string]json.RawMessage `json:"-"`
}

// Destination is one place the stream goes. Exactly the field matching
// Kind is set.
type Destination struct {
	Name    string  `json:"name"`
	Kind    string  `json:"kind"`
	Enabled bool    `json:"enabled"`
	RTMP    *RTMP   `json:"rtmp,omitempty"`
	RTP     *RTP    `json:"rtp,omitempty"`
	Record  *Record `json:"record,omitempty"`
	SRT     *SRT    `json:"srt,omitempty"`
	WHIP    *WHIP   `json:"whip,omitempty"`
	// Video is the destination's own rendition (nil: the profile's).
	Video *Video `json:"video,omitempty"`
	// SecretsLeftOut says which secrets an export without keys left out
	// (LeftOutKey, LeftOutURL); going live refuses the destination until
	// they are set again (MissingSecrets).
	SecretsLeftOut []string                   `json:"secrets_left_out,omitempty"`
	Extra          map[string]json.RawMessage `json:"-"`
}

// RTMP is an RTMP or RTMPS ingest.
type RTMP struct {
	// Service is youtube, twitch, facebook, kick or custom.
	Service string `json:"service,omitempty"`
	// URL is the server URL (rtmp[s]://host[:port]/app); it may also end
	// with the key when Key is empty.
	URL string `json:"url"`
	// Key is the stream key. It is kept in the OS keychain when one is
	// available (the file then holds only KeyRef), and left out of
	// exports unless asked for.
	Key string `json:"key,omitempty"`
	// KeyRef names the keychain entry holding Key.
	KeyRef    string                     `json:"key_ref,omitempty"`
	CAFile    string                     `json:"ca_file,omitempty"`
	PinSHA256 string                     `json:"pin_sha256,omitempty"`
	Extra     map[string]json.RawMessage `json:"-"`
}

// RTP is an RTP preview target.
type RTP struct {
	Host string `json:"host"`
	Port int    `json:"port"`
	// Mode is "mpegts" (default) or "native".
	Mode    string `json:"mode,omitempty"`
	MTU     int    `json:"mtu,omitempty"`
	TTL     int    `json:"ttl,omitempty"`
	RTCPMux bool   `json:"rtcp_mux,omitempty"`
	SRTP    bool   `json:"srtp,omitempty"`
	// SRTPVLC (with SRTP) is the variant VLC 3.0 decrypts (the roll-over
	// counter in every packet, RFC 4771): --rtp …?srtp=vlc.
	SRTPVLC bool                       `json:"srtp_vlc,omitempty"`
	SDPPath string                     `json:"sdp_path,omitempty"`
	Extra   map[string]json.RawMessage `json:"-"`
}

// Record writes the stream to a file.
type Record struct {
	Path string `json:"path"`
	// Format is the container ("mkv", "mp4", "flv", "ts"); "" means from
	// the file extension.
	Format string                     `json:"format,omitempty"`
	Extra  map[string]json.RawMessage `json:"-"`
}

// DefaultProfileName is the name of the profile created on first start.
const DefaultProfileName = "Local preview"

// DefaultProfile returns the first-start profile: the screen, 720p30 at
// 2.5 Mb/s, microphone audio, one RTP preview to 127.0.0.1:5004, no
// recording.
func DefaultProfile() Profile {
	return Profile{
		Name:    DefaultProfileName,
		Capture: Capture{Source: SourceScreen, Cursor: true, Audio: AudioMic},
		Encoder: Encoder{
			Width: 1280, Height: 720, FPS: 30, VideoBitrate: 2_500_000,
			Encoder: "libx264", Preset: "veryfast", AudioBitrate: 128_000,
		},
		Destinations: []Destination{{
			Name: DefaultProfileName, Kind: KindRTP, Enabled: true,
			RTP: &RTP{Host: "127.0.0.1", Port: 5004, Mode: "mpegts"},
		}},
	}
}

// Clone returns a deep copy.
func (p Profile) Clone() Profile {
	c := p
	c.Extra = maps.Clone(p.Extra)
	c.Capture.Extra = maps.Clone(p.Capture.Extra)
	c.Encoder.Extra = maps.Clone(p.Encoder.Extra)
	if p.Destinations != nil {
		c.Destinations = make([]Destination, len(p.Destinations))
		for i, d := range p.Destinations {
			c.Destinations[i] = d.Clone()
		}
	}
	return c
}

// Clone returns a deep copy.
func (d Destination) Clone() Destination {
	c := d
	c.Extra = maps.Clone(d.Extra)
	c.SecretsLeftOut = slices.Clone(d.SecretsLeftOut)
	if d.RTMP != nil {
		r := *d.RTMP
		r.Extra = maps.Clone(d.RTMP.Extra)
		c.RTMP = &r
	}
	if d.RTP != nil {
		r := *d.RTP
		r.Extra = maps.Clone(d.RTP.Extra)
		c.RTP = &r
	}
	if d.Record != nil {
		r := *d.Record
		r.Extra = maps.Clone(d.Record.Extra)
		c.Record = &r
	}
	cloneSRTWHIP(&c, d)
	if d.Video != nil {
		v := *d.Video
		if v.Adaptive != nil {
			a := *v.Adaptive
			v.Adaptive = &a
		}
		c.Video = &v
	}
	return c
}

// Destination returns the destination called name.
func (p *Profile) Destination(name string) (*Destination, bool) {
	for i := range p.Destinations {
		if p.Destinations[i].Name == name {
			return &p.Destinations[i], true
		}
	}
	return nil, false
}

// Keys returns every non-empty stream key of the profile.
func (p *Profile) Keys() []string {
	var keys []string
	for i := range p.Destinations {
		if k, _, ok := p.Destinations[i].secretFields(); ok && *k != "" {
			keys = append(keys, *k)
		}
	}
	return keys
}

// StripKeys removes every stream key (and keychain reference).
func (p *Profile) StripKeys() {
	for i := range p.Destinations {
		if k, ref, ok := p.Destinations[i].secretFields(); ok {
			*k, *ref = "", ""
		}
	}
}

// StripKeyRefs forgets keychain references (keeping the keys), so a
// copied profile gets keychain entries of its own when saved.
func (p *Profile) StripKeyRefs() {
	for i := range p.Destinations {
		if _, ref, ok := p.Destinations[i].secretFields(); ok {
			*ref = ""
		}
	}
}

// Masked returns a copy safe to print: keys masked, URLs redacted.
func (r RTMP) Masked() RTMP {
	r.Key = secret.Mask(r.Key)
	r.URL = secret.RedactURL(r.URL)
	return r
}

// Format prints the RTMP settings with the key masked, so that %v of a
// profile or destination never shows a key.
func (r RTMP) Format(f fmt.State, verb rune) {
	type plain RTMP // no Format method: no recursion
	m := plain(r.Masked())
	m.Extra = nil
	format := "%" + string(verb)
	if f.Flag('+') {
		format = "%+" + string(verb)
	}
	fmt.Fprintf(f, format, m)
}

// LogValue keeps keys out of structured logs.
func (r RTMP) LogValue() slog.Value {
	m := r.Masked()
	return slog.GroupValue(slog.String("service", m.Service),
		slog.String("url", m.URL), slog.String("key", m.Key))
}
