package profile

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"golive/outputs/rtmpurl"
	"golive/outputs/rtptarget"
)

func (d *Destination) validate(c *checker) {
	d.Video.validate(c)
	set := 0
	for _, ok := range []bool{d.RTMP != nil, d.RTP != nil, d.Record != nil, d.SRT != nil, d.WHIP != nil} {
		if ok {
			set++
		}
	}
	switch d.Kind {
	case KindRTMP:
		if d.RTMP == nil {
			c.add("rtmp", "kind is rtmp but the rtmp settings are missing")
			return
		}
		d.RTMP.validate(c)
	case KindRTP:
		if d.RTP == nil {
			c.add("rtp", "kind is rtp but the rtp settings are missing")
			return
		}
		d.RTP.validate(c)
	case KindRecord:
		if d.Record == nil {
			c.add("record", "kind is record but the record settings are missing")
			return
		}
		d.Record.validate(c)
	case KindSRT:
		if d.SRT == nil {
			c.add("srt", "kind is srt but the srt settings are missing")
			return
		}
		d.SRT.validate(c)
	case KindWHIP:
		if d.WHIP == nil {
			c.add("whip", "kind is whip but the whip settings are missing")
			return
		}
		d.WHIP.validate(c)
	default:
		c.add("kind", "unknown destination kind %q (use rtmp, rtp, record, srt or whip)", d.Kind)
		return
	}
	if set > 1 {
		c.add("kind", "settings for more than one kind are present (kind is %s)", d.Kind)
	}
}

// urlReason returns the RTMP package's message without its "rtmp url: "
// prefix (it never contains the key).
func urlReason(err error) string {
	var ue *rtmpurl.URLError
	if errors.As(err, &ue) {
		return ue.Reason
	}
	return err.Error()
}

func (r *RTMP) validate(c *checker) {
	if r.Service != "" && !oneOf(r.Service, Services) {
		c.add("rtmp.service", "unknown service %q (use %s)", r.Service, strings.Join(Services, ", "))
	}
	_, err := rtmpurl.ParseURL(r.URL, r.Key)
	if err != nil && r.missingKey() {
		// Keys may be set later (exports leave them out): check the rest.
		_, err = rtmpurl.ParseURL(r.URL, "placeholder-key")
	}
	if err != nil {
		reason := urlReason(err)
		field := "rtmp.url"
		if strings.HasPrefix(reason, "stream key") {
			field = "rtmp.key"
		}
		c.add(field, "%s", reason)
	}
	if strings.TrimSpace(r.CAFile) != r.CAFile {
		c.add("rtmp.ca_file", "CA file path starts or ends with spaces")
	}
	if r.PinSHA256 != "" && !validPin(r.PinSHA256) {
		c.add("rtmp.pin_sha256", "certificate pin must be a SHA-256 in hex (64 digits, colons allowed) or base64 (44 characters)")
	}
}

// missingKey reports whether neither Key nor the URL holds a stream key.
func (r *RTMP) missingKey() bool {
	if r.Key != "" {
		return false
	}
	_, err := rtmpurl.ParseURL(r.URL, "")
	return err != nil && strings.HasPrefix(urlReason(err), "missing stream key")
}

func validPin(pin string) bool {
	h := strings.ReplaceAll(pin, ":", "")
	if b, err := hex.DecodeString(h); err == nil && len(b) == 32 {
		return true
	}
	b, err := base64.StdEncoding.DecodeString(pin)
	return err == nil && len(b) == 32
}

// normalize moves a key embedded in the URL (rtmp://host/app/KEY) into
// Key, so the file and the keychain hold it apart from the URL.
func (r *RTMP) normalize() {
	r.URL = strings.TrimSpace(r.URL)
	r.Key = strings.TrimSpace(r.Key)
	if r.Key != "" {
		return
	}
	ep, err := rtmpurl.ParseURL(r.URL, "")
	if err != nil {
		return
	}
	r.Key = ep.StreamKey
	r.URL = ep.TCURL
}

// Normalize cleans up what users type: surrounding spaces in names, a key
// pasted into an RTMP URL, a record format left empty. Store.Put calls it.
func (p *Profile) Normalize() {
	p.Name = strings.TrimSpace(p.Name)
	for i := range p.Destinations {
		d := &p.Destinations[i]
		d.Name = strings.TrimSpace(d.Name)
		d.Kind = strings.ToLower(strings.TrimSpace(d.Kind))
		if d.RTMP != nil {
			d.RTMP.normalize()
		}
		if d.SRT != nil {
			d.SRT.normalize()
		}
		if d.WHIP != nil {
			d.WHIP.normalize()
		}
		d.normalizeLeftOut()
		if d.RTP != nil {
			d.RTP.Host = strings.TrimSpace(d.RTP.Host)
			d.RTP.Mode = strings.ToLower(d.RTP.Mode)
		}
	}
}

func (r *RTP) validate(c *checker) {
	before := len(c.errs)
	switch {
	case r.Host == "":
		c.add("rtp.host", "host is empty")
	case strings.ContainsFunc(r.Host, unicode.IsSpace), strings.ContainsAny(r.Host, "/?#@[]"):
		c.add("rtp.host", "host %q is not an IP address or host name", r.Host)
	case strings.Contains(r.Host, ":") && net.ParseIP(r.Host) == nil:
		c.add("rtp.host", "host %q is not a valid IPv6 address", r.Host)
	}
	top := 65534 // RTCP goes to port+1
	if r.Mode == "native" {
		top = 65532 // audio on port+2, its RTCP on port+3
	}
	if r.Port < 1 || r.Port > top {
		c.add("rtp.port", "port %d out of range 1-%d (RTCP needs the next ports)", r.Port, top)
	}
	if r.Mode != "" && !oneOf(r.Mode, RTPModes) {
		c.add("rtp.mode", "unknown mode %q (use mpegts or native)", r.Mode)
	}
	if r.MTU != 0 && (r.MTU < MinRTPMTU || r.MTU > MaxRTPMTU) {
		c.add("rtp.mtu", "MTU %d out of range %d-%d", r.MTU, MinRTPMTU, MaxRTPMTU)
	}
	if r.TTL < 0 || r.TTL > 255 {
		c.add("rtp.ttl", "TTL %d out of range 0-255", r.TTL)
	}
	if len(c.errs) == before {
		// Whatever else the RTP sender refuses.
		if _, err := rtptarget.Parse(r.TargetString()); err != nil {
			c.add("rtp", "%s", strings.TrimPrefix(err.Error(), "rtp target: "))
		}
	}
}

// TargetString renders the settings in the HOST:PORT[?opts] form that
// --rtp and rtptarget.Parse accept.
func (r *RTP) TargetString() string {
	s := net.JoinHostPort(r.Host, strconv.Itoa(r.Port))
	var q []string
	if r.Mode != "" {
		q = append(q, "mode="+r.Mode)
	}
	if r.MTU != 0 {
		q = append(q, "mtu="+strconv.Itoa(r.MTU))
	}
	if r.TTL != 0 {
		q = append(q, "ttl="+strconv.Itoa(r.TTL))
	}
	if r.RTCPMux {
		q = append(q, "rtcpmux=1")
	}
	switch {
	case r.SRTP && r.SRTPVLC:
		q = append(q, "srtp=vlc")
	case r.SRTP:
		q = append(q, "srtp=1")
	}
	if r.SDPPath != "" {
		q = append(q, "sdp="+r.SDPPath)
	}
	if len(q) > 0 {
		s += "?" + strings.Join(q, "&")
	}
	return s
}

// validate checks a recording: Path "" records to the user's Videos
// folder and a folder path (an existing folder, or one ending in "/") to
// date-and-time names there; any other path is a file name.
func (r *Record) validate(c *checker) {
	if r.Path != "" && strings.TrimSpace(r.Path) == "" {
		c.add("record.path", "file path is only spaces")
		return
	}
	if strings.ContainsFunc(r.Path, unicode.IsControl) {
		c.add("record.path", "file path contains control characters")
	}
	if r.Format != "" {
		if !oneOf(r.Format, RecordFormats) {
			c.add("record.format", "unknown format %q (use %s)", r.Format, strings.Join(RecordFormats, ", "))
		}
		return
	}
	if RecordFormatFromPath(r.Path) == "" && !isFolderPath(r.Path) {
		c.add("record.format", "cannot tell the container from %q: use a .mkv, .mp4, .flv or .ts name or set the format", filepath.Base(r.Path))
	}
}

// isFolderPath reports a recording path that names a folder: "" (the
// Videos folder), one ending in a separator, or an existing folder.
func isFolderPath(path string) bool {
	if path == "" || strings.HasSuffix(path, "/") || strings.HasSuffix(path, string(os.PathSeparator)) {
		return true
	}
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// RecordFormatFromPath returns the container implied by a file name's
// extension, or "".
func RecordFormatFromPath(path string) string {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	if ext == "mpegts" {
		ext = "ts"
	}
	if oneOf(ext, RecordFormats) {
		return ext
	}
	return ""
}

// FormatBitrate renders bits per second as "2500k", "6M" or "800".
func FormatBitrate(bps int) string {
	switch {
	case bps >= 1_000_000 && bps%1_000_000 == 0:
		return fmt.Sprintf("%dM", bps/1_000_000)
	case bps >= 1000 && bps%1000 == 0:
		return fmt.Sprintf("%dk", bps/1000)
	}
	return strconv.Itoa(bps)
}

// ParseBitrate reads "2500k", "2.5M", "2500000" or "128 kbps" as bits per
// second.
func ParseBitrate(s string) (int, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	t = strings.TrimSuffix(strings.TrimSuffix(t, "ps"), "b/s")
	t = strings.TrimSuffix(t, "b")
	t = strings.TrimSpace(t)
	mult := 1.0
	switch {
	case strings.HasSuffix(t, "k"):
		mult, t = 1e3, strings.TrimSuffix(t, "k")
	case strings.HasSuffix(t, "m"):
		mult, t = 1e6, strings.TrimSuffix(t, "m")
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
	if err != nil || v < 0 || v*mult > 1e10 || v != v {
		return 0, fmt.Errorf("bitrate %q: want a number like 2500k, 6M or 128000", s)
	}
	return int(v*mult + 0.5), nil
}
