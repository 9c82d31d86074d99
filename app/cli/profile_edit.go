package cli

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"golive/app/profile"
)

func (c *profileCmd) add(args []string) error {
	fs := c.flags()
	from := fs.String("copy", "", "start from a copy of this profile")
	pos, err := parseArgs(fs, args, 1, -1, "NAME [--copy FROM] [KEY=VALUE...]")
	if err != nil {
		return err
	}
	p := profile.DefaultProfile()
	p.Destinations = nil
	if *from != "" {
		if p, err = c.st.Get(*from); err != nil {
			return &UsageError{Err: err}
		}
		p.StripKeyRefs()
	}
	p.Name = pos[0]
	if err := c.applySettings(&p, pos[1:]); err != nil {
		return err
	}
	if err := checkServiceCodecs(&p); err != nil {
		return err
	}
	if err := c.st.Add(p); err != nil {
		return notFoundIsUsage(err)
	}
	c.saved("profile %q added", p.Name)
	return nil
}

func (c *profileCmd) set(args []string) error {
	pos, err := parseArgs(c.flags(), args, 2, -1, "NAME KEY=VALUE...")
	if err != nil {
		return err
	}
	p, err := c.st.Get(pos[0])
	if err != nil {
		return &UsageError{Err: err}
	}
	old := p.Name
	if err := c.applySettings(&p, pos[1:]); err != nil {
		return err
	}
	if err := checkServiceCodecs(&p); err != nil {
		return err
	}
	if err := c.st.Update(old, p); err != nil {
		return notFoundIsUsage(err)
	}
	c.saved("profile %q saved", p.Name)
	return nil
}

func (c *profileCmd) applySettings(p *profile.Profile, settings []string) error {
	for _, kv := range settings {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return usageErr("%q: settings are KEY=VALUE", kv)
		}
		if err := c.applySetting(p, k, v); err != nil {
			return err
		}
	}
	return nil
}

func (c *profileCmd) addDest(args []string) error {
	fs := c.flags()
	var rtmps, keys, rtps, records multiFlag
	fs.Var(&rtmps, "rtmp", "RTMP or RTMPS URL, optionally URL#KEY")
	fs.Var(&keys, "rtmp-key", "stream key (- reads it from standard input)")
	fs.Var(&rtps, "rtp", "RTP target HOST:PORT[?mode=mpegts|native&...]")
	fs.Var(&records, "record", "record to FILE")
	name := fs.String("name", "", "destination name")
	disabled := fs.Bool("disabled", false, "add it switched off")
	service := fs.String("service", "", "youtube, twitch, facebook, kick or custom")
	ca := fs.String("ca", "", "CA certificate file trusted for RTMPS")
	pin := fs.String("pin", "", "SHA-256 pin of the RTMPS server certificate")
	format := fs.String("format", "", "recording container: mkv, mp4, flv, ts")
	sw := addSRTWHIPFlags(fs)
	pos, err := parseArgs(fs, args, 1, 1, "NAME (--rtmp URL[#KEY] | --rtp HOST:PORT | --record FILE | --srt URL | --whip URL[#TOKEN]) [--name DEST] [--disabled]")
	if err != nil {
		return err
	}
	if n := len(rtmps) + len(rtps) + len(records) + sw.count(); n != 1 {
		return usageErr("add-dest takes exactly one of --rtmp, --rtp, --record, --srt or --whip (got %d); run it once per destination", n)
	}
	if len(keys) > 1 || (len(keys) == 1 && len(rtmps) == 0) {
		return usageErr("--rtmp-key goes with one --rtmp")
	}
	d, err := c.parseAnyDest(sw, rtmps, keys, rtps, records)
	if err != nil {
		return err
	}
	if !c.keyFromStdin && hasSecret(d) {
		c.keyInArgv = true // in the URL (URL#KEY, a passphrase in an srt:// query)
	}
	if *name != "" {
		d.Name = *name
	}
	d.Enabled = !*disabled
	if d.RTMP != nil {
		setNonEmpty(&d.RTMP.Service, *service)
		setNonEmpty(&d.RTMP.CAFile, *ca)
		setNonEmpty(&d.RTMP.PinSHA256, *pin)
	} else if *service != "" || *ca != "" || *pin != "" {
		return usageErr("--service, --ca and --pin apply to --rtmp destinations")
	}
	if d.Record != nil {
		d.Record.Format = *format
	} else if *format != "" {
		return usageErr("--format applies to --record destinations")
	}
	p, err := c.st.Get(pos[0])
	if err != nil {
		return &UsageError{Err: err}
	}
	if _, dup := p.Destination(d.Name); dup {
		return usageErr("profile %q already has a destination %q: choose another with --name", p.Name, d.Name)
	}
	p.Destinations = append(p.Destinations, d)
	if err := c.st.Put(p); err != nil {
		return notFoundIsUsage(err)
	}
	c.saved("destination %q added to profile %q", d.Name, p.Name)
	return nil
}

// hasSecret reports whether a destination carries a stream key, SRT
// passphrase or stream id password, or WHIP token.
func hasSecret(d profile.Destination) bool {
	switch {
	case d.RTMP != nil:
		return d.RTMP.Key != ""
	case d.SRT != nil:
		return slices.ContainsFunc(d.SRT.Secrets(), func(s string) bool { return s != "" })
	case d.WHIP != nil:
		return d.WHIP.Key != ""
	}
	return false
}

func setNonEmpty(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

func (c *profileCmd) parseDest(rtmps, keys, rtps, records multiFlag) (profile.Destination, error) {
	var d profile.Destination
	var err error
	switch {
	case len(rtmps) == 1:
		key := ""
		if len(keys) == 1 {
			if key, err = c.readKey(keys[0]); err != nil {
				return d, err
			}
		}
		d, err = profile.ParseRTMPFlag(rtmps[0], key)
	case len(rtps) == 1:
		d, err = profile.ParseRTPFlag(rtps[0])
	default:
		d, err = profile.ParseRecordFlag(records[0])
	}
	if err != nil {
		return d, &UsageError{Err: err}
	}
	return d, nil
}

func (c *profileCmd) removeDest(args []string) error {
	pos, err := parseArgs(c.flags(), args, 2, 2, "NAME DEST")
	if err != nil {
		return err
	}
	p, err := c.st.Get(pos[0])
	if err != nil {
		return &UsageError{Err: err}
	}
	kept := p.Destinations[:0]
	var names []string
	for _, d := range p.Destinations {
		if d.Name == pos[1] {
			continue
		}
		kept = append(kept, d)
		names = append(names, d.Name)
	}
	if len(kept) == len(p.Destinations) {
		return usageErr("profile %q has no destination %q (it has: %s)", p.Name, pos[1], strings.Join(names, ", "))
	}
	p.Destinations = kept
	if err := c.st.Put(p); err != nil {
		return notFoundIsUsage(err)
	}
	c.saved("destination %q removed from profile %q", pos[1], p.Name)
	return nil
}

func (c *profileCmd) delete(args []string) error {
	pos, err := parseArgs(c.flags(), args, 1, 1, "NAME")
	if err != nil {
		return err
	}
	if err := c.st.Delete(pos[0]); err != nil {
		return notFoundIsUsage(err)
	}
	c.saved("profile %q deleted", pos[0])
	return nil
}

func (c *profileCmd) rename(args []string) error {
	pos, err := parseArgs(c.flags(), args, 2, 2, "OLD NEW")
	if err != nil {
		return err
	}
	if err := c.st.Rename(pos[0], pos[1]); err != nil {
		return notFoundIsUsage(err)
	}
	c.saved("profile %q renamed to %q", pos[0], pos[1])
	return nil
}

func (c *profileCmd) selectProfile(args []string) error {
	pos, err := parseArgs(c.flags(), args, 1, 1, "NAME")
	if err != nil {
		return err
	}
	if err := c.st.Select(pos[0]); err != nil {
		return notFoundIsUsage(err)
	}
	c.saved("profile %q selected", pos[0])
	return nil
}

func notFoundIsUsage(err error) error {
	var fe *profile.FieldError
	if errors.Is(err, profile.ErrNotFound) || errors.Is(err, profile.ErrExists) || errors.As(err, &fe) {
		return &UsageError{Err: err}
	}
	return err
}

func (c *profileCmd) export(args []string) error {
	fs := c.flags()
	withKeys := fs.Bool("with-keys", false, "include stream keys and every other secret (keep the file private)")
	pos, err := parseArgs(fs, args, 2, 2, "NAME FILE [--with-keys]")
	if err != nil {
		return err
	}
	if pos[1] == "-" {
		data, err := c.st.ExportJSON(pos[0], *withKeys)
		if err != nil {
			return notFoundIsUsage(err)
		}
		if _, err = c.env.Stdout.Write(data); err != nil {
			return err
		}
		c.leftOutNote(pos[0], *withKeys)
		return nil
	}
	if err := c.st.Export(pos[0], pos[1], *withKeys); err != nil {
		return notFoundIsUsage(err)
	}
	note := "without stream keys or other secrets"
	if *withKeys {
		note = "WITH stream keys and other secrets: keep the file private"
	}
	c.saved("profile %q exported to %s (%s)", pos[0], pos[1], note)
	c.leftOutNote(pos[0], *withKeys)
	return nil
}

// leftOutNote tells on standard error which destinations need their
// secrets entered again after the import of an export without keys.
func (c *profileCmd) leftOutNote(name string, withKeys bool) {
	if withKeys {
		return
	}
	p, err := c.st.Get(name)
	if err != nil {
		return
	}
	if left := profile.LeftOutSummary(p); len(left) > 0 {
		fmt.Fprintf(c.env.Stderr, "golive: note: secrets left out of the export; after importing it, set them again for: %s\n",
			strings.Join(left, ", "))
	}
}

func (c *profileCmd) importProfile(args []string) error {
	fs := c.flags()
	name := fs.String("name", "", "import under this name")
	replace := fs.Bool("replace", false, "replace an existing profile of the same name")
	pos, err := parseArgs(fs, args, 1, 1, "FILE [--name NEW] [--replace]")
	if err != nil {
		return err
	}
	p, err := c.st.Import(pos[0], profile.ImportOptions{Name: *name, Replace: *replace})
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return &UsageError{Err: err}
		}
		return notFoundIsUsage(err)
	}
	c.saved("profile %q imported", p.Name)
	return nil
}

// noDest reports a missing destination in a dest.NAME.FIELD setting.
func noDest(p *profile.Profile, name string) error {
	var names []string
	for _, d := range p.Destinations {
		names = append(names, d.Name)
	}
	return usageErr("profile %q has no destination %q (it has: %s)", p.Name, name, strings.Join(names, ", "))
}

func atoiSetting(key, v string) (int, error) {
	var n int
	if _, err := fmt.Sscan(v, &n); err != nil || fmt.Sprint(n) != strings.TrimSpace(v) {
		return 0, usageErr("%s=%q: want a whole number", key, v)
	}
	return n, nil
}
