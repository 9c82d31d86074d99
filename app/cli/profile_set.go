package cli

import (
	"fmt"
	"io"
	"strings"

	"golive/app/profile"
)

// applySetting sets one KEY=VALUE of `golive profile set` / `add`.
func (c *profileCmd) applySetting(p *profile.Profile, key, v string) error {
	trimmed := strings.TrimSpace(key)
	if len(trimmed) >= len("dest.") && strings.EqualFold(trimmed[:len("dest.")], "dest.") {
		// dest.NAME.FIELD: NAME may contain dots, FIELD does not. The split is
		// made on the key as typed: lower-casing can change a string's byte
		// length, so indexes into the lower-cased copy do not fit the original.
		rest := trimmed[len("dest."):]
		i := strings.LastIndex(rest, ".")
		if i <= 0 {
			return usageErr("%q: want dest.NAME.FIELD", key)
		}
		name := rest[:i]
		d, ok := p.Destination(name)
		if !ok {
			return noDest(p, name)
		}
		field := strings.ReplaceAll(strings.ToLower(rest[i+1:]), "-", "_")
		return c.applyDestSetting(d, field, v)
	}
	k := strings.ReplaceAll(strings.ToLower(trimmed), "-", "_")
	k = strings.TrimPrefix(strings.TrimPrefix(k, "capture."), "encoder.")
	if k == "name" {
		p.Name = v
		return nil
	}
	if ok, err := captureSetting(&p.Capture, k, key, v); ok {
		return err
	}
	if ok, err := encoderSetting(&p.Encoder, k, key, v); ok {
		return err
	}
	return usageErr("unknown setting %q (see golive profile help)", key)
}

// captureSetting sets the capture field k; false when k is not one.
func captureSetting(cp *profile.Capture, k, key, v string) (bool, error) {
	var err error
	switch k {
	case "source":
		cp.Source = v
	case "display":
		cp.Display = v
	case "region":
		cp.Region = v
	case "cursor":
		cp.Cursor, err = boolSetting(key, v)
	case "audio":
		cp.Audio = v
	case "audio_device":
		cp.AudioDevice = v
	default:
		return false, nil
	}
	return true, err
}

// encoderSetting sets the encoder field k; false when k is not one.
func encoderSetting(e *profile.Encoder, k, key, v string) (bool, error) {
	var err error
	switch k {
	case "size":
		if e.Width, e.Height, err = profile.ParseSize(v); err != nil {
			err = &UsageError{Err: err}
		}
	case "width":
		e.Width, err = atoiSetting(key, v)
	case "height":
		e.Height, err = atoiSetting(key, v)
	case "fps":
		e.FPS, err = atoiSetting(key, v)
	case "video_bitrate", "bitrate":
		e.VideoBitrate, err = bitrateSetting(key, v)
	case "audio_bitrate":
		e.AudioBitrate, err = bitrateSetting(key, v)
	case "encoder":
		e.Encoder = v
	case "preset":
		e.Preset = v
	default:
		return false, nil
	}
	return true, err
}

func (c *profileCmd) applyDestSetting(d *profile.Destination, field, v string) error {
	var err error
	switch field {
	case "enabled":
		d.Enabled, err = boolSetting(field, v)
		return err
	case "name":
		d.Name = v
		return nil
	}
	if ok, err := d.SetVideoField(field, v); ok {
		if err != nil {
			return &UsageError{Err: err}
		}
		return nil
	}
	switch {
	case d.RTMP != nil:
		return c.applyRTMPSetting(d, field, v)
	case d.RTP != nil:
		return applyRTPSetting(d, field, v)
	case d.SRT != nil, d.WHIP != nil:
		return c.applySRTWHIPSetting(d, field, v)
	case d.Record != nil:
		switch field {
		case "path":
			d.Record.Path = v
		case "format":
			d.Record.Format = v
		default:
			return unknownDestField(d, field)
		}
	}
	return nil
}

func (c *profileCmd) applyRTMPSetting(d *profile.Destination, field, v string) error {
	r := d.RTMP
	var err error
	switch field {
	case "url":
		r.URL = v
	case "key":
		d.ForgetLeftOut(profile.LeftOutKey)
		if v == "" {
			r.Key = ""
			return nil
		}
		r.Key, err = c.readKey(v)
	case "service":
		r.Service = v
	case "ca_file", "ca":
		r.CAFile = v
	case "pin_sha256", "pin":
		r.PinSHA256 = v
	default:
		return unknownDestField(d, field)
	}
	return err
}

func applyRTPSetting(d *profile.Destination, field, v string) error {
	r := d.RTP
	var err error
	switch field {
	case "host":
		r.Host = v
	case "port":
		r.Port, err = atoiSetting(field, v)
	case "mode":
		r.Mode = v
	case "mtu":
		r.MTU, err = atoiSetting(field, v)
	case "ttl":
		r.TTL, err = atoiSetting(field, v)
	case "rtcp_mux", "rtcpmux":
		r.RTCPMux, err = boolSetting(field, v)
	case "srtp":
		r.SRTP, err = boolSetting(field, v)
	case "sdp_path", "sdp":
		r.SDPPath = v
	default:
		return unknownDestField(d, field)
	}
	return err
}

func unknownDestField(d *profile.Destination, field string) error {
	fields := map[string]string{
		profile.KindRTMP:   "url, key, service, ca_file, pin_sha256",
		profile.KindRTP:    "host, port, mode, mtu, ttl, rtcp_mux, srtp, sdp_path",
		profile.KindRecord: "path, format",
		profile.KindSRT:    "url, key, latency",
		profile.KindWHIP:   "url, key",
	}
	return usageErr("destination %q (%s) has no setting %q (use enabled, name, %s; video: %s)",
		d.Name, d.Kind, field, fields[d.Kind], strings.Join(profile.VideoFields, ", "))
}

func boolSetting(key, v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off":
		return false, nil
	}
	return false, usageErr("%s=%q: want true or false", key, v)
}

func bitrateSetting(key, v string) (int, error) {
	n, err := profile.ParseBitrate(v)
	if err != nil {
		return 0, usageErr("%s: %v", key, err)
	}
	return n, nil
}

// writeProfile prints a profile for people, stream keys masked.
func writeProfile(w io.Writer, p profile.Profile, keyPlace string) {
	cp, e := p.Capture, p.Encoder
	fmt.Fprintf(w, "Profile: %s\n", p.Name)
	src := cp.Source
	var opts []string
	if cp.Display != "" {
		opts = append(opts, "display "+cp.Display)
	}
	if cp.Region != "" {
		opts = append(opts, "region "+cp.Region)
	}
	if cp.Source == profile.SourceScreen {
		opts = append(opts, "cursor "+onOff(cp.Cursor))
	}
	if len(opts) > 0 {
		src += " (" + strings.Join(opts, ", ") + ")"
	}
	audio := cp.Audio
	if cp.AudioDevice != "" {
		audio += " (" + cp.AudioDevice + ")"
	}
	fmt.Fprintf(w, "Capture: %s, audio %s\n", src, audio)
	enc := e.Encoder
	if enc == "" {
		enc = "auto"
	}
	if e.Preset != "" {
		enc += " " + e.Preset
	}
	fmt.Fprintf(w, "Encoder: %dx%d @ %d fps, video %s (%s), audio %s\n",
		e.Width, e.Height, e.FPS, profile.FormatBitrate(e.VideoBitrate), enc, profile.FormatBitrate(e.AudioBitrate))
	fmt.Fprintln(w, "Destinations:")
	if len(p.Destinations) == 0 {
		fmt.Fprintln(w, "  (none: add one with golive profile add-dest)")
	}
	for _, d := range p.Destinations {
		line := destSummary(d, keyPlace)
		if !d.Video.IsZero() {
			line += "; " + p.VideoSummary(&d)
		}
		fmt.Fprintf(w, "  [%-3s] %s: %s\n", onOff(d.Enabled), d.Name, line)
	}
	if err := p.ValidateForLive(); err != nil {
		fmt.Fprintln(w, "Problems:")
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintln(w, "  "+line)
		}
	}
}

func destSummary(d profile.Destination, keyPlace string) string {
	switch {
	case d.RTMP != nil:
		r := d.RTMP.Masked()
		s := fmt.Sprintf("%s %s", d.Kind, r.URL)
		if r.Service != "" {
			s += " [" + r.Service + "]"
		}
		if r.Key != "" {
			s += ", key " + r.Key + " (" + keyPlace + ")"
		} else {
			s += ", no key set"
		}
		if r.CAFile != "" {
			s += ", CA " + r.CAFile
		}
		if r.PinSHA256 != "" {
			s += ", pinned"
		}
		return s
	case d.SRT != nil, d.WHIP != nil:
		return srtWHIPSummary(d, keyPlace)
	case d.RTP != nil:
		return "rtp " + d.RTP.TargetString()
	case d.Record != nil:
		f := d.Record.Format
		if f == "" {
			f = profile.RecordFormatFromPath(d.Record.Path)
		}
		return fmt.Sprintf("record %s (%s)", d.Record.Path, f)
	}
	return d.Kind
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
