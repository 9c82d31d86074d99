package cli

import (
	"flag"
	"fmt"

	"golive/app/profile"
)

// applySRTWHIPSetting sets dest.NAME.url, dest.NAME.key (the SRT
// passphrase or WHIP bearer token: "-" reads it from standard input, ""
// clears it) and, for SRT, dest.NAME.latency in milliseconds.
func (c *profileCmd) applySRTWHIPSetting(d *profile.Destination, field, v string) error {
	var url, key *string
	if d.SRT != nil {
		url, key = &d.SRT.URL, &d.SRT.Key
	} else {
		url, key = &d.WHIP.URL, &d.WHIP.Key
	}
	var err error
	switch {
	case field == "url":
		*url = v
	case field == "key" && v == "":
		// No passphrase or token at all (the export's one is not wanted).
		d.ForgetLeftOut(profile.LeftOutKey)
		*key = ""
	case field == "key":
		*key, err = c.readKey(v)
	case field == "latency" && d.SRT != nil:
		d.SRT.Latency, err = atoiSetting(field, v)
	default:
		return unknownDestField(d, field)
	}
	return err
}

// srtWHIPSummary is the line `golive profile show` prints, key masked.
func srtWHIPSummary(d profile.Destination, keyPlace string) string {
	var s, key, what string
	if d.SRT != nil {
		r := d.SRT.Masked()
		s, key, what = "srt "+r.URL, r.Key, "passphrase"
		if r.Latency != 0 {
			s += fmt.Sprintf(", latency %d ms", r.Latency)
		}
	} else {
		r := d.WHIP.Masked()
		s, key, what = "whip "+r.URL, r.Key, "token"
	}
	if key != "" {
		return s + ", " + what + " " + key + " (" + keyPlace + ")"
	}
	return s + ", no " + what
}

// srtWHIPFlags are add-dest's flags for SRT and WHIP destinations.
type srtWHIPFlags struct {
	srts, whips multiFlag
	key         *string
	latency     *int
}

func addSRTWHIPFlags(fs *flag.FlagSet) *srtWHIPFlags {
	f := &srtWHIPFlags{}
	fs.Var(&f.srts, "srt", "SRT listener srt://HOST:PORT[?streamid=...&passphrase=...&latency=µs]")
	fs.Var(&f.whips, "whip", "WHIP endpoint URL, optionally URL#TOKEN")
	f.key = fs.String("key", "", "SRT passphrase or WHIP bearer token (- reads it from standard input)")
	f.latency = fs.Int("latency", 0, "SRT latency in milliseconds")
	return f
}

func (f *srtWHIPFlags) count() int { return len(f.srts) + len(f.whips) }

func (f *srtWHIPFlags) unused() error {
	if *f.key != "" || *f.latency != 0 {
		return usageErr("--key and --latency apply to --srt and --whip destinations")
	}
	return nil
}

func (c *profileCmd) parseSRTWHIPDest(f *srtWHIPFlags) (profile.Destination, error) {
	key := ""
	if *f.key != "" {
		var err error
		if key, err = c.readKey(*f.key); err != nil {
			return profile.Destination{}, err
		}
	}
	if len(f.whips) == 1 {
		if *f.latency != 0 {
			return profile.Destination{}, usageErr("--latency applies to --srt destinations")
		}
		d, err := profile.ParseWHIPFlag(f.whips[0], key)
		if err != nil {
			return d, &UsageError{Err: err}
		}
		return d, nil
	}
	d, err := profile.ParseSRTFlag(f.srts[0])
	if err != nil {
		return d, &UsageError{Err: err}
	}
	if key != "" {
		d.SRT.Key = key
	}
	d.SRT.Latency = *f.latency
	return d, nil
}

// maskSRTWHIPKeys masks the SRT passphrases and WHIP tokens of a profile
// about to be printed.
func maskSRTWHIPKeys(p *profile.Profile) {
	for i := range p.Destinations {
		if r := p.Destinations[i].SRT; r != nil {
			*r = r.Masked()
			r.KeyRef = ""
		}
		if r := p.Destinations[i].WHIP; r != nil {
			*r = r.Masked()
			r.KeyRef = ""
		}
	}
}

// parseAnyDest parses add-dest's one destination flag.
func (c *profileCmd) parseAnyDest(sw *srtWHIPFlags, rtmps, keys, rtps, records multiFlag) (profile.Destination, error) {
	if sw.count() == 1 {
		return c.parseSRTWHIPDest(sw)
	}
	if err := sw.unused(); err != nil {
		return profile.Destination{}, err
	}
	return c.parseDest(rtmps, keys, rtps, records)
}
