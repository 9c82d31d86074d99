package cli

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"golive/app/profile"
	"golive/app/session"
)

// liveFlags are the flags of `golive live`.
type liveFlags struct {
	source, display, region, audio string
	cursor                         bool
	size                           string
	fps                            int
	videoBitrate, audioBitrate     string
	encoder, preset                string
	records, rtmps, rtmpKeys, rtps multiFlag
	rtmpCAs, rtmpPins              multiFlag
	caFile, pin                    string
	duration                       time.Duration
	stats                          string
	profile                        string
	metrics                        string
	srtWHIP                        srtWHIPLiveFlags
	keyInArgv                      bool // an RTMP stream key given in argv (readKeys)
}

func newLiveFlagSet(env Env) (*flag.FlagSet, *liveFlags) {
	f := &liveFlags{}
	fs := flag.NewFlagSet("golive live", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.StringVar(&f.source, "source", "screen", "video source: screen or test")
	fs.StringVar(&f.display, "display", "", "X display to capture, or portal (default: the desktop portal on Wayland, else $DISPLAY)")
	fs.StringVar(&f.region, "region", "", "capture region X,Y,W,H (default: whole screen)")
	fs.BoolVar(&f.cursor, "cursor", true, "draw the mouse cursor")
	fs.StringVar(&f.audio, "audio", "default", "microphone name or id, default, test or none")
	fs.StringVar(&f.size, "size", "1280x720", "output size WIDTHxHEIGHT")
	fs.IntVar(&f.fps, "fps", 30, "output frame rate")
	fs.StringVar(&f.videoBitrate, "video-bitrate", "2500k", "video bit rate (CBR)")
	fs.StringVar(&f.audioBitrate, "audio-bitrate", "128k", "audio bit rate")
	fs.StringVar(&f.encoder, "encoder", "libx264", "H.264 encoder (see golive devices)")
	fs.StringVar(&f.preset, "preset", "veryfast", "encoder preset")
	fs.Var(&f.records, "record", "record to FILE (.mkv or .mp4), repeatable")
	fs.Var(&f.rtmps, "rtmp", "publish to rtmp[s]://host[:port]/app[/KEY][#KEY], repeatable")
	fs.Var(&f.rtmpKeys, "rtmp-key", "stream key of the n-th --rtmp, repeatable; - reads it from standard input (kept out of the process list)")
	fs.StringVar(&f.caFile, "ca", "", "extra CA certificate file (PEM) trusted by every rtmps:// destination")
	fs.StringVar(&f.pin, "pin", "", "SHA-256 fingerprint of the certificate every rtmps:// destination must present")
	fs.Var(&f.rtmpCAs, "rtmp-ca", "CA file (PEM) of the n-th --rtmp (an rtmps:// URL; \"\" for none), repeatable")
	fs.Var(&f.rtmpPins, "rtmp-pin", "certificate SHA-256 pin of the n-th --rtmp (an rtmps:// URL; \"\" for none), repeatable")
	fs.Var(&f.rtps, "rtp", "send RTP to HOST:PORT[?mode=mpegts|native&mtu=1200&srtp=1&sdp=FILE], repeatable")
	fs.DurationVar(&f.duration, "duration", 0, "stop after this long (default: until Ctrl+C)")
	fs.StringVar(&f.stats, "stats", "text", "stats once a second: text, json or none")
	fs.StringVar(&f.profile, "profile", "", "use the saved profile NAME (its enabled destinations)")
	fs.StringVar(&f.metrics, "metrics", "", "serve Prometheus metrics on HOST:PORT/metrics")
	f.srtWHIP.register(fs)
	return fs, f
}

// RunLive streams until the duration ends, ctx is cancelled (SIGINT or
// SIGTERM in main) or the engine fails.
func RunLive(ctx context.Context, args []string, env Env) error {
	fs, f := newLiveFlagSet(env)
	if err := fs.Parse(args); err != nil {
		return &UsageError{Err: err}
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected argument %q", fs.Arg(0))
	}
	if f.duration < 0 {
		return usageErr("--duration %v: want a positive duration such as 30s or 1h", f.duration)
	}
	if f.stats != "text" && f.stats != "json" && f.stats != "none" {
		return usageErr("--stats %q: want text, json or none", f.stats)
	}
	if f.metrics != "" {
		if err := checkAddr(env, "--metrics", f.metrics); err != nil {
			return err
		}
	}
	cfg, err := f.sessionConfig(ctx, fs, env)
	if err != nil {
		return err
	}
	cfg.Logger = env.Logger
	s := &session.Session{Config: cfg}
	if err := s.Initialize(); err != nil {
		return err
	}
	stopMetrics, err := startMetrics(f.metrics, func() (session.Stats, bool) { return s.Stats(), true }, env)
	if err != nil {
		s.Close()
		return err
	}
	defer stopMetrics()
	printWarnings(env, s)
	printPreviewHints(env, s)
	if f.profile != "" {
		saveRestoreToken(ctx, f.profile, s.RestoreToken(), env)
	}
	return superviseLive(ctx, s, f, env)
}

func (f *liveFlags) sessionConfig(ctx context.Context, fs *flag.FlagSet, env Env) (session.Config, error) {
	p := profile.DefaultProfile()
	p.Name, p.Destinations = "command line", nil
	if f.profile != "" {
		var err error
		if p, err = loadProfile(ctx, f.profile, env); err != nil {
			return session.Config{}, err
		}
	}
	if err := f.applyCaptureFlags(fs, &p, f.profile == ""); err != nil {
		return session.Config{}, err
	}
	if err := f.readKeys(env); err != nil {
		return session.Config{}, err
	}
	dests, err := f.destinations()
	if err != nil {
		return session.Config{}, err
	}
	more, err := f.srtWHIP.destinations(env.Stdin)
	if err != nil {
		return session.Config{}, err
	}
	if w := argvWarning(f.keyInArgv, f.srtWHIP.tokenInArgv, f.srtWHIP.passphraseInArgv); w != "" {
		fmt.Fprintln(env.Stderr, w)
	}
	dests = uniqueNames(append(dests, more...))
	if f.profile == "" && len(dests) == 0 {
		return session.Config{}, usageErr("no destination: give --record, --rtmp, --rtp, --srt, --whip or --profile")
	}
	p.Destinations = append(p.Destinations, dests...)
	cfg, err := session.FromProfile(p)
	if err != nil {
		return cfg, &UsageError{Err: err}
	}
	return cfg, nil
}

// applyCaptureFlags sets the capture and encoder settings from the flags:
// all of them without a profile, only those given on the command line
// over a profile's.
func (f *liveFlags) applyCaptureFlags(fs *flag.FlagSet, p *profile.Profile, all bool) error {
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	use := func(name string) bool { return all || set[name] }
	c, e := &p.Capture, &p.Encoder
	if use("source") {
		if f.source != profile.SourceScreen && f.source != profile.SourceTest {
			return usageErr("--source %q: want screen or test", f.source)
		}
		c.Source = f.source
	}
	if use("display") {
		c.Display = f.display
	}
	if use("cursor") {
		c.Cursor = f.cursor
	}
	if use("region") {
		c.Region = f.region
	}
	if use("audio") {
		c.Audio, c.AudioDevice = audioInput(f.audio)
	}
	var err error
	if use("size") {
		if e.Width, e.Height, err = profile.ParseSize(f.size); err != nil {
			return &UsageError{Err: err}
		}
	}
	if use("fps") {
		if f.fps < 1 || f.fps > 120 {
			return usageErr("--fps %d: want 1 to 120", f.fps)
		}
		e.FPS = f.fps
	}
	if use("video-bitrate") {
		if e.VideoBitrate, err = profile.ParseBitrate(f.videoBitrate); err != nil {
			return usageErr("--video-bitrate: %w", err)
		}
	}
	if use("audio-bitrate") {
		if e.AudioBitrate, err = profile.ParseBitrate(f.audioBitrate); err != nil {
			return usageErr("--audio-bitrate: %w", err)
		}
	}
	if use("encoder") {
		e.Encoder = f.encoder
	}
	if use("preset") {
		e.Preset = f.preset
	}
	return nil
}

func audioInput(s string) (kind, device string) {
	switch s {
	case profile.AudioTest, profile.AudioNone:
		return s, ""
	case "default", "":
		return profile.AudioMic, ""
	default:
		return profile.AudioMic, s
	}
}

// destinations parses the destination flags; keys given with --rtmp-key,
// CA files with --rtmp-ca and pins with --rtmp-pin pair with the --rtmp
// URLs in order. --ca and --pin apply to every rtmps:// URL without its
// own, and never to plain rtmp://.
func (f *liveFlags) destinations() ([]profile.Destination, error) {
	var out []profile.Destination
	for _, paired := range []struct {
		name string
		vals multiFlag
	}{{"--rtmp-key", f.rtmpKeys}, {"--rtmp-ca", f.rtmpCAs}, {"--rtmp-pin", f.rtmpPins}} {
		if len(paired.vals) > len(f.rtmps) {
			return nil, usageErr("%d %s for %d --rtmp: each pairs with one URL, in order", len(paired.vals), paired.name, len(f.rtmps))
		}
	}
	secure := 0
	for i, raw := range f.rtmps {
		d, err := profile.ParseRTMPFlag(raw, nth(f.rtmpKeys, i))
		if err != nil {
			return nil, &UsageError{Err: err}
		}
		if err := f.applyTLS(d.RTMP, i); err != nil {
			return nil, err
		}
		if isRTMPS(d.RTMP.URL) {
			secure++
		}
		out = append(out, d)
	}
	if secure == 0 && (f.caFile != "" || f.pin != "") && len(f.rtmps) > 0 {
		return nil, usageErr("--ca/--pin: a CA file or certificate pin needs an rtmps:// URL, and no --rtmp is one")
	}
	for _, s := range f.rtps {
		d, err := profile.ParseRTPFlag(s)
		if err != nil {
			return nil, &UsageError{Err: err}
		}
		out = append(out, d)
	}
	for _, path := range f.records {
		d, err := profile.ParseRecordFlag(path)
		if err != nil {
			return nil, &UsageError{Err: err}
		}
		out = append(out, d)
	}
	return uniqueNames(out), nil
}

// applyTLS sets the CA file and pin of the i-th --rtmp: its own
// (--rtmp-ca, --rtmp-pin) or the global ones, for rtmps:// only.
func (f *liveFlags) applyTLS(r *profile.RTMP, i int) error {
	ca, pin := nth(f.rtmpCAs, i), nth(f.rtmpPins, i)
	if !isRTMPS(r.URL) {
		if ca != "" || pin != "" {
			return usageErr("--rtmp-ca/--rtmp-pin of --rtmp number %d: its URL is plain rtmp://, without TLS (use rtmps:// or leave them \"\")", i+1)
		}
		return nil
	}
	r.CAFile, r.PinSHA256 = cmp.Or(ca, f.caFile), cmp.Or(pin, f.pin)
	return nil
}

// nth returns the i-th value of a paired flag, "" when not given.
func nth(vals multiFlag, i int) string {
	if i < len(vals) {
		return strings.TrimSpace(vals[i])
	}
	return ""
}

func isRTMPS(url string) bool {
	return len(url) >= 8 && strings.EqualFold(url[:8], "rtmps://")
}

// uniqueNames numbers destinations that got the same default name.
func uniqueNames(ds []profile.Destination) []profile.Destination {
	count := map[string]int{}
	for i := range ds {
		n := ds[i].Name
		count[n]++
		if count[n] > 1 {
			ds[i].Name = fmt.Sprintf("%s (%d)", n, count[n])
		}
	}
	return ds
}

// printWarnings prints, before going live, one line per thing the user
// should know (a recording folder with room for less than ~30 min at the
// chosen bit rates, encoders beyond the machine's cores), as the window's
// Go Live check shows them.
func printWarnings(env Env, s *session.Session) {
	for _, w := range s.Warnings() {
		fmt.Fprintln(env.Stderr, "golive: warning: "+w)
	}
}

// printPreviewHints tells how to open each RTP target (VLC URL, SDP path,
// ffplay arguments), on stderr so that stdout stays machine-readable with
// --stats json. SRTP keys stay in the 0600 SDP file, not on the terminal.
func printPreviewHints(env Env, s *session.Session) {
	for _, h := range s.PlayerHints() {
		if h.Err != nil {
			fmt.Fprintf(env.Stderr, "%s: cannot write SDP: %v\n", h.Name, h.Err)
			continue
		}
		fmt.Fprintf(env.Stderr, "%s: open with `vlc %s` or `ffplay -protocol_whitelist file,udp,rtp -i %s`; SDP: %s\n",
			h.Name, h.Input, h.SDPPath, h.SDPPath)
	}
}
