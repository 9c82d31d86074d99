package profile

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"strings"
	"time"

	"golive/app/secret"
	"golive/outputs/srturl"
	"golive/outputs/whipurl"
)

// Destination kinds of SRT and WHIP.
const (
	KindSRT  = "srt"
	KindWHIP = "whip"
)

// SRT is an SRT listener to publish to (caller mode, MPEG-TS).
type SRT struct {
	// URL is srt://HOST:PORT[?streamid=...&latency=µs]; a passphrase in
	// it moves to Key.
	URL string `json:"url"`
	// Key is the passphrase (a secret like a stream key: keychain,
	// masked, left out of exports unless asked for).
	Key    string `json:"key,omitempty"`
	KeyRef string `json:"key_ref,omitempty"`
	// Latency is the receiver latency in milliseconds (0: the URL's or
	// libsrt's 120 ms). Set together with a different latency= in the
	// URL it is refused (LatencyConflict): neither silently wins.
	Latency int                        `json:"latency,omitempty"`
	Extra   map[string]json.RawMessage `json:"-"`
}

// WHIP is a WHIP endpoint (WebRTC ingest, RFC 9725).
type WHIP struct {
	// URL is the endpoint (https://HOST/PATH).
	URL string `json:"url"`
	// Key is the bearer token (a secret like a stream key).
	Key    string                     `json:"key,omitempty"`
	KeyRef string                     `json:"key_ref,omitempty"`
	Extra  map[string]json.RawMessage `json:"-"`
}

// urlSecrets are the secrets a destination's URL itself carries (an SRT
// stream id's credentials or key).
func (d *Destination) urlSecrets() []string {
	if d.SRT == nil {
		return nil
	}
	return d.SRT.Secrets()
}

// secretFields returns the key and keychain reference of a destination
// kind that has a secret (RTMP stream key, SRT passphrase, WHIP token).
func (d *Destination) secretFields() (key, ref *string, ok bool) {
	switch {
	case d.RTMP != nil:
		return &d.RTMP.Key, &d.RTMP.KeyRef, true
	case d.SRT != nil:
		return &d.SRT.Key, &d.SRT.KeyRef, true
	case d.WHIP != nil:
		return &d.WHIP.Key, &d.WHIP.KeyRef, true
	}
	return nil, nil, false
}

func cloneSRTWHIP(c *Destination, d Destination) {
	if d.SRT != nil {
		r := *d.SRT
		r.Extra = maps.Clone(d.SRT.Extra)
		c.SRT = &r
	}
	if d.WHIP != nil {
		r := *d.WHIP
		r.Extra = maps.Clone(d.WHIP.Extra)
		c.WHIP = &r
	}
}

// Masked returns a copy safe to print: the passphrase masked, and the URL
// without it and with the secrets of its stream id masked (DisplayURL).
func (r SRT) Masked() SRT {
	r.Key = secret.Mask(r.Key)
	r.URL = r.DisplayURL()
	return r
}

// DisplayURL is the listener URL for people: no passphrase, and the
// credentials or stream key a stream id carries masked like a key
// (srturl.StreamIDSecrets). A URL that does not parse is redacted.
func (r SRT) DisplayURL() string {
	u, err := srturl.Parse(r.URL)
	if err != nil {
		return secret.RedactURL(r.URL)
	}
	return u.Masked(secret.Mask)
}

// Secrets are the values to hide wherever GoLive prints: the passphrase
// and the secrets of the stream id.
func (r SRT) Secrets() []string {
	out := []string{r.Key}
	if u, err := srturl.Parse(r.URL); err == nil {
		out = append(out, u.Passphrase)
		out = append(out, StreamIDSecretsOf(u.StreamID)...)
	}
	return out
}

// Format prints the settings with the passphrase masked.
func (r SRT) Format(f fmt.State, verb rune) {
	type plain SRT
	m := plain(r.Masked())
	m.Extra = nil
	fmt.Fprintf(f, fmtVerb(f, verb), m)
}

// LogValue keeps the passphrase out of structured logs.
func (r SRT) LogValue() slog.Value {
	return slog.GroupValue(slog.String("url", r.DisplayURL()), slog.String("key", secret.Mask(r.Key)))
}

// Masked returns a copy safe to print.
func (r WHIP) Masked() WHIP {
	r.Key = secret.Mask(r.Key)
	r.URL = secret.RedactURL(r.URL)
	return r
}

// Format prints the settings with the token masked.
func (r WHIP) Format(f fmt.State, verb rune) {
	type plain WHIP
	m := plain(r.Masked())
	m.Extra = nil
	fmt.Fprintf(f, fmtVerb(f, verb), m)
}

// LogValue keeps the token out of structured logs.
func (r WHIP) LogValue() slog.Value {
	m := r.Masked()
	return slog.GroupValue(slog.String("url", m.URL), slog.String("key", m.Key))
}

func fmtVerb(f fmt.State, verb rune) string {
	if f.Flag('+') {
		return "%+" + string(verb)
	}
	return "%" + string(verb)
}

// MarshalJSON implements json.Marshaler, keeping unknown fields.
func (r SRT) MarshalJSON() ([]byte, error) {
	type plain SRT
	return encodeWithExtra(plain(r), r.Extra)
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown fields.
func (r *SRT) UnmarshalJSON(b []byte) error {
	type plain SRT
	var x plain
	extra, err := decodeKnown(b, &x)
	*r = SRT(x)
	r.Extra = extra
	return err
}

// MarshalJSON implements json.Marshaler, keeping unknown fields.
func (r WHIP) MarshalJSON() ([]byte, error) {
	type plain WHIP
	return encodeWithExtra(plain(r), r.Extra)
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown fields.
func (r *WHIP) UnmarshalJSON(b []byte) error {
	type plain WHIP
	var x plain
	extra, err := decodeKnown(b, &x)
	*r = WHIP(x)
	r.Extra = extra
	return err
}

// Endpoint is the parsed URL with the passphrase and latency applied.
func (r *SRT) Endpoint() (srturl.URL, error) {
	u, err := srturl.Parse(r.URL)
	if err != nil {
		return u, err
	}
	if r.Key != "" {
		u.Passphrase = r.Key
	}
	if r.Latency != 0 {
		// Range-checked before the conversion, which overflows for huge
		// counts and could wrap into the range.
		if r.Latency < 0 || r.Latency > int(srturl.MaxLatency/time.Millisecond) {
			return u, &srturl.Error{Reason: fmt.Sprintf("latency %d ms out of range %d-%d", r.Latency,
				srturl.MinLatency/time.Millisecond, srturl.MaxLatency/time.Millisecond)}
		}
		if msg := r.LatencyConflict(u); msg != "" {
			return u, &srturl.Error{Reason: msg}
		}
		u.Latency = time.Duration(r.Latency) * time.Millisecond
	}
	return u, u.Validate()
}

// LatencyConflict says, when the URL's latency= (microseconds, as ffmpeg
// and OBS read it) and the Latency field (milliseconds) are both set and
// differ, that one of them must go; "" when they agree or one is unset.
func (r *SRT) LatencyConflict(u srturl.URL) string {
	field := time.Duration(r.Latency) * time.Millisecond
	if r.Latency == 0 || u.Latency == 0 || u.Latency == field {
		return ""
	}
	return fmt.Sprintf("latency set twice: %d ms in the latency field and latency=%d (%v) in the URL; "+
		"keep one (clear the field with latency=0, or remove latency= from the URL)",
		r.Latency, u.Latency.Microseconds(), u.Latency)
}

func srtReason(err error) string {
	return strings.TrimPrefix(err.Error(), "srt url: ")
}

func (r *SRT) validate(c *checker) {
	u, err := srturl.Parse(r.URL)
	if err != nil {
		c.add("srt.url", "%s", srtReason(err))
		return
	}
	if r.Latency != 0 && (r.Latency < int(srturl.MinLatency/time.Millisecond) || r.Latency > int(srturl.MaxLatency/time.Millisecond)) {
		c.add("srt.latency", "latency %d ms out of range %d-%d", r.Latency,
			srturl.MinLatency/time.Millisecond, srturl.MaxLatency/time.Millisecond)
		return
	}
	if msg := r.LatencyConflict(u); msg != "" {
		c.add("srt.latency", "%s", msg)
		return
	}
	if _, err := r.Endpoint(); err != nil {
		c.add("srt.key", "%s", srtReason(err))
	}
}

// normalize moves a passphrase given in the URL into Key.
func (r *SRT) normalize() {
	r.URL = strings.TrimSpace(r.URL)
	u, err := srturl.Parse(r.URL)
	if err != nil {
		return
	}
	if u.Passphrase != "" && r.Key == "" {
		r.Key = u.Passphrase
	}
	r.URL = u.String()
}

func (r *WHIP) validate(c *checker) {
	if _, err := whipurl.Parse(r.URL); err != nil {
		c.add("whip.url", "%s", strings.TrimPrefix(err.Error(), "whip url: "))
	}
	if err := whipurl.CheckToken(r.Key); err != nil {
		c.add("whip.key", "%s", strings.TrimPrefix(err.Error(), "whip url: "))
	}
}

// normalize moves a token given after '#' into Key.
func (r *WHIP) normalize() {
	ep, tok, err := whipurl.Split(r.URL)
	if err != nil {
		return
	}
	r.URL = ep
	if tok != "" && r.Key == "" {
		r.Key = tok
	}
}

// ParseSRTFlag parses --srt URL (the passphrase may be in the URL).
func ParseSRTFlag(raw string) (Destination, error) {
	u, err := srturl.Parse(raw)
	if err != nil {
		return Destination{}, fmt.Errorf("--srt: %s", srtReason(err))
	}
	r := &SRT{URL: u.String(), Key: u.Passphrase}
	return Destination{Name: "SRT " + u.Address(), Kind: KindSRT, Enabled: true, SRT: r}, nil
}

// ParseWHIPFlag parses --whip URL[#TOKEN]; token, when not empty, is the
// separately given one (--whip-token) and must not conflict.
func ParseWHIPFlag(raw, token string) (Destination, error) {
	ep, frag, err := whipurl.Split(raw)
	if err != nil {
		return Destination{}, fmt.Errorf("--whip: %s", strings.TrimPrefix(err.Error(), "whip url: "))
	}
	token = strings.TrimSpace(token)
	if err := whipurl.CheckToken(token); err != nil {
		return Destination{}, fmt.Errorf("--whip-token: %s", strings.TrimPrefix(err.Error(), "whip url: "))
	}
	if frag != "" && token != "" && frag != token {
		return Destination{}, fmt.Errorf("--whip: two different tokens given (after '#' and --whip-token)")
	}
	if token == "" {
		token = frag
	}
	u, err := whipurl.Parse(ep)
	if err != nil {
		return Destination{}, fmt.Errorf("--whip: %s", strings.TrimPrefix(err.Error(), "whip url: "))
	}
	return Destination{Name: "WHIP " + u.Host, Kind: KindWHIP, Enabled: true, WHIP: &WHIP{URL: ep, Key: token}}, nil
}
