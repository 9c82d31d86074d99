package profile

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"golive/app/secret"
	"golive/outputs/rtmp"
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
		if key != "" && key != frag {
			return Destination{}, errors.New("--rtmp: two different stream keys given (after '#' and --rtmp-key)")
		}
		key = frag
	}
	ep, err := rtmp.ParseURL(base, key)
	if err != nil {
		return Destination{}, fmt.Errorf("--rtmp %s: %s", secret.RedactURL(base), urlReason(err))
	}
	r := &RTMP{Service: GuessService(ep.Host), URL: ep.TCURL, Key: ep.StreamKey}
	return Destination{Name: defaultRTMPName(r.Service, ep.Host), Kind: KindRTMP, Enabled: true, RTMP: r}, nil
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

// ParseRTPFlag parses HOST:PORT[?options] (an rtp:// prefix is allowed),
// the same grammar as outputs/rtp.ParseTarget.
func ParseRTPFlag(s string) (Destination, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "rtp://")
	if s == "" {
		return Destination{}, errors.New("--rtp: empty (want HOST:PORT)")
	}
	addr, query, _ := strings.Cut(s, "?")
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return Destination{}, fmt.Errorf("--rtp %q: want HOST:PORT or [IPv6]:PORT", addr)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return Destination{}, fmt.Errorf("--rtp %q: port %q is not a number", addr, portStr)
	}
	r := &RTP{Host: host, Port: port, Mode: "mpegts"}
	d := Destination{Name: net.JoinHostPort(host, portStr), Kind: KindRTP, Enabled: true, RTP: r}
	if query != "" {
		values, err := url.ParseQuery(query)
		if err != nil {
			return Destination{}, fmt.Errorf("--rtp: bad options %q", query)
		}
		for k, vals := range values {
			if err := r.setOption(&d, k, vals[len(vals)-1]); err != nil {
				return Destination{}, fmt.Errorf("--rtp: %w", err)
			}
		}
	}
	if err := checkDest(d); err != nil {
		return Destination{}, fmt.Errorf("--rtp %s: %w", addr, err)
	}
	return d, nil
}

func (r *RTP) setOption(d *Destination, k, v string) error {
	var err error
	switch k {
	case "mode":
		r.Mode = strings.ToLower(v)
		if !oneOf(r.Mode, RTPModes) {
			return fmt.Errorf("unknown mode %q (use mpegts or native)", v)
		}
	case "mtu":
		r.MTU, err = strconv.Atoi(v)
	case "ttl":
		r.TTL, err = strconv.Atoi(v)
	case "rtcpmux":
		r.RTCPMux, err = parseFlagBool(v)
	case "srtp":
		r.SRTP, err = parseFlagBool(v)
	case "sdp":
		if v == "" {
			return errors.New("sdp= needs a file path")
		}
		r.SDPPath = v
	case "name":
		d.Name = v
	default:
		return fmt.Errorf("unknown option %q (known: mode, mtu, ttl, rtcpmux, srtp, sdp, name)", k)
	}
	if err != nil {
		return fmt.Errorf("%s=%q is not valid", k, v)
	}
	return nil
}

func parseFlagBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on", "":
		return true, nil
	case "0", "false", "no", "off":
		return false, nil
	}
	return false, errors.New("want 1 or 0")
}

// ParseRecordFlag parses --record FILE.
func ParseRecordFlag(path string) (Destination, error) {
	path = strings.TrimSpace(path)
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
		msgs[i] = e.(*FieldError).Message
	}
	return errors.New(strings.Join(msgs, "; "))
}
