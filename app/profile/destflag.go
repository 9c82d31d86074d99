package profile

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"golive/app/secret"
	"golive/outputs/rtmpurl"
	"golive/outputs/rtptarget"
)

// The parsers below read the destination flags shared by `golive live`
// and `golive profile add-dest`:
//
//	--rtmp URL[#KEY]   (with --rtmp-key KEY as the other way to give the key)
//	--rtp HOST:PORT[?mode=mpegts|native&mtu=N&ttl=N&rtcpmux=1&srtp=1&sdp=FILE&name=NAME]
//	--record FILE
//
// They return a Destination with a default name; errors never contain a
// stream key.

// ParseRTMPFlag parses URL[#KEY]; key, when not empty, is the separately
// given key (--rtmp-key) and must not conflict with one after '#'.
func ParseRTMPFlag(raw, key string) (Destination, error) {
	raw = strings.TrimSpace(raw)
	key = strings.TrimSpace(key)
	base, frag, hasFrag := strings.Cut(raw, "#")
	if hasFrag {
		if frag == "" {
			return Destination{}, errors.New("--rtmp: nothing after '#' (use URL#KEY or --rtmp-key)")
		}
		if n, last := pathElements(base); n > 1 && last != frag {
			// rtmp://host/live/ab#cd: a key "ab#cd", or app "live/ab"
			// with key "cd"? Say so instead of guessing.
			return Destination{}, fmt.Errorf("--rtmp %s#…: the URL's path already has a second element, so the part after '#' "+
				"is ambiguous: give a key that contains '#' with --rtmp-key (quoted) and the URL without it; "+
				"for an application with an instance (app/instance), give the key with --rtmp-key too",
				shorten(secret.RedactURL(base), 120))
		}
		if key != "" && key != frag {
			return Destination{}, errors.New("--rtmp: two different stream keys given (after '#' and --rtmp-key)")
		}
		key = frag
	}
	ep, err := rtmpurl.ParseURL(base, key)
	if err != nil {
		return Destination{}, fmt.Errorf("--rtmp %s: %s", shorten(secret.RedactURL(base), 120), urlReason(err))
	}
	r := &RTMP{Service: GuessService(ep.Host), URL: ep.TCURL, Key: ep.StreamKey}
	return Destination{Name: defaultRTMPName(r.Service, ep.Host), Kind: KindRTMP, Enabled: true, RTMP: r}, nil
}

// pathElements counts the non-empty path elements of an RTMP URL and
// returns the last one.
func pathElements(raw string) (n int, last string) {
	_, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return 0, ""
	}
	_, path, _ := strings.Cut(rest, "/")
	path, _, _ = strings.Cut(path, "?")
	for e := range strings.SplitSeq(path, "/") {
		if e != "" {
			n, last = n+1, e
		}
	}
	return n, last
}

// shorten cuts s to at most n characters for an error message.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// GuessService names the streaming service of an ingest host.
func GuessService(host string) string {
	h := strings.ToLower(host)
	switch {
	case strings.Contains(h, "youtube.com"):
		return "youtube"
	case strings.Contains(h, "twitch.tv"), strings.Contains(h, "contribute.live-video.net"):
		return "twitch"
	case strings.Contains(h, "facebook.com"):
		return "facebook"
	case strings.Contains(h, "kick.com"), strings.Contains(h, "live-video.net"):
		return "kick"
	}
	return "custom"
}

func defaultRTMPName(service, host string) string {
	switch service {
	case "youtube":
		return "YouTube"
	case "twitch":
		return "Twitch"
	case "facebook":
		return "Facebook"
	case "kick":
		return "Kick"
	}
	return host
}

// ParseRTPFlag parses HOST:PORT[?options] (an rtp:// prefix is allowed)
// with outputs/rtptarget.Parse, the parser the RTP sender itself uses.
func ParseRTPFlag(s string) (Destination, error) {
	t, err := rtptarget.Parse(s)
	if err != nil {
		return Destination{}, fmt.Errorf("--rtp: %s", strings.TrimPrefix(err.Error(), "rtp target: "))
	}
	name := t.Name
	if name == "" {
		name = net.JoinHostPort(t.Host, strconv.Itoa(t.Port))
	}
	d := Destination{Name: name, Kind: KindRTP, Enabled: true, RTP: &RTP{
		Host: t.Host, Port: t.Port, Mode: t.Mode, MTU: t.MTU, TTL: t.TTL,
		RTCPMux: t.RTCPMux, SRTP: t.SRTP, SRTPVLC: t.SRTPRCC, SDPPath: t.SDPPath,
	}}
	if err := checkDest(d); err != nil {
		return Destination{}, fmt.Errorf("--rtp %s: %w", net.JoinHostPort(t.Host, strconv.Itoa(t.Port)), err)
	}
	return d, nil
}

// ParseRecordFlag parses --record FILE.
func ParseRecordFlag(path string) (Destination, error) {
	path = strings.TrimSpace(path)
	if path == "" {
		return Destination{}, errors.New("--record: give a file, or a folder for date-and-time names (\"2026-12-07 14-03-22.mkv\")")
	}
	d := Destination{Name: "Recording", Kind: KindRecord, Enabled: true, Record: &Record{Path: path}}
	if err := checkDest(d); err != nil {
		return Destination{}, fmt.Errorf("--record: %w", err)
	}
	return d, nil
}

// checkDest validates the kind-specific settings of one destination.
func checkDest(d Destination) error {
	c := &checker{dest: -1}
	d.validate(c)
	if len(c.errs) == 0 {
		return nil
	}
	msgs := make([]string, len(c.errs))
	for i, e := range c.errs {
		msgs[i] = e.Error()
		if fe := (*FieldError)(nil); errors.As(e, &fe) {
			msgs[i] = fe.Message
		}
	}
	return errors.New(strings.Join(msgs, "; "))
}
