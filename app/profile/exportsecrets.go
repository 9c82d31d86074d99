package profile

import (
	"fmt"
	"slices"
	"strings"

	"golive/app/secret"
	"golive/outputs/srturl"
)

// SecretLeftOut stands in an exported URL for a secret that an export
// without keys left out (an SRT stream id's password, a key-like query
// parameter). A destination whose URL holds it cannot go live until the
// URL is set again.
const SecretLeftOut = "SECRET-LEFT-OUT-ON-EXPORT"

// LeftOutOnExport is the wording of ValidateForLive's error for a secret
// an export left out ("the passphrase was LeftOutOnExport: ...").
const LeftOutOnExport = "left out when this profile was exported"

// Values of Destination.SecretsLeftOut.
const (
	// LeftOutKey: the kind's key (RTMP stream key, SRT passphrase, WHIP
	// bearer token) was left out.
	LeftOutKey = "key"
	// LeftOutURL: a secret in the URL was replaced by SecretLeftOut.
	LeftOutURL = "url"
)

// stripSecrets removes every secret of d for an export without keys and
// records what it removed in d.SecretsLeftOut.
// Secrets already left out (an import of such an export) stay listed.
func (d *Destination) stripSecrets() {
	d.normalizeLeftOut()
	if key, ref, ok := d.secretFields(); ok {
		if *key != "" || *ref != "" || d.passphraseInURL() {
			d.addLeftOut(LeftOutKey)
		}
		*key, *ref = "", ""
	}
	if u := d.urlField(); u != nil {
		if s, changed := stripURLSecrets(d.SRT != nil && d.RTMP == nil, *u); changed {
			*u = s
			// A passphrase dropped from the URL is the key left out (above):
			// the URL is marked only when it holds the stand-in, which is
			// what marks it again on import (normalizeLeftOut).
			if strings.Contains(s, SecretLeftOut) {
				d.addLeftOut(LeftOutURL)
			}
		}
	}
}

// passphraseInURL reports an SRT destination whose URL still carries a
// passphrase (one imported as written, not moved to Key).
func (d *Destination) passphraseInURL() bool {
	if d.SRT == nil || d.RTMP != nil {
		return false
	}
	u, err := srturl.Parse(d.SRT.URL)
	return err == nil && u.Passphrase != ""
}

func (d *Destination) addLeftOut(what string) {
	if !slices.Contains(d.SecretsLeftOut, what) {
		d.SecretsLeftOut = append(d.SecretsLeftOut, what)
	}
}

// urlField is the destination's URL, for the kinds that have one.
func (d *Destination) urlField() *string {
	switch {
	case d.RTMP != nil:
		return &d.RTMP.URL
	case d.SRT != nil:
		return &d.SRT.URL
	case d.WHIP != nil:
		return &d.WHIP.URL
	}
	return nil
}

// stripURLSecrets replaces the secrets a URL carries by SecretLeftOut: an
// SRT passphrase is dropped and the stream id's credentials or key
// (srturl.StreamIDSecrets) replaced; in any URL, the values of key-like
// query parameters (secret.IsSensitiveName) are replaced.
func stripURLSecrets(isSRT bool, raw string) (string, bool) {
	if isSRT {
		u, err := srturl.Parse(raw)
		if err != nil {
			// Not a URL GoLive can use: keep nothing of it.
			const none = "srt://" + SecretLeftOut
			return none, raw != "" && raw != none
		}
		changed := u.Passphrase != "" || len(StreamIDSecretsOf(u.StreamID)) > 0
		u.Passphrase = ""
		u.StreamID = srturl.MaskStreamID(u.StreamID, func(string) string { return SecretLeftOut })
		return u.String(), changed
	}
	base, query, ok := strings.Cut(raw, "?")
	if !ok {
		return raw, false
	}
	parts := strings.Split(query, "&")
	changed := false
	for i, part := range parts {
		name, v, hasValue := strings.Cut(part, "=")
		if hasValue && v != "" && v != SecretLeftOut && secret.IsSensitiveName(name) {
			parts[i], changed = name+"="+SecretLeftOut, true
		}
	}
	return base + "?" + strings.Join(parts, "&"), changed
}

// StreamIDSecretsOf is srturl.StreamIDSecrets without the stand-in of a
// secret left out on export (not a secret).
func StreamIDSecretsOf(id string) []string {
	return slices.DeleteFunc(srturl.StreamIDSecrets(id), func(s string) bool { return s == SecretLeftOut })
}

// normalizeLeftOut forgets the secrets left out that have been set again:
// a key given, a URL without the stand-in.
func (d *Destination) normalizeLeftOut() {
	key, ref, hasKey := d.secretFields()
	u := d.urlField()
	d.SecretsLeftOut = slices.DeleteFunc(d.SecretsLeftOut, func(s string) bool {
		switch s {
		case LeftOutKey:
			return !hasKey || *key != "" || *ref != ""
		case LeftOutURL:
			return u == nil || !strings.Contains(*u, SecretLeftOut)
		}
		return true // unknown: nothing to check
	})
	if u != nil && strings.Contains(*u, SecretLeftOut) {
		d.addLeftOut(LeftOutURL)
	}
	if len(d.SecretsLeftOut) == 0 {
		d.SecretsLeftOut = nil
	}
}

// MissingSecrets names, for people, the secrets of d that an export
// without keys left out and that have not been set again ("passphrase",
// "stream id password"); nil when none.
func (d Destination) MissingSecrets() []string {
	c := d.Clone()
	c.normalizeLeftOut()
	var out []string
	for _, s := range c.SecretsLeftOut {
		switch {
		case s == LeftOutKey && d.SRT != nil:
			out = append(out, "passphrase")
		case s == LeftOutKey && d.WHIP != nil:
			out = append(out, "bearer token")
		case s == LeftOutKey:
			out = append(out, "stream key")
		case d.SRT != nil:
			out = append(out, "stream id password")
		default:
			out = append(out, "secret in the URL")
		}
	}
	return out
}

// leftOutError is ValidateForLive's error for a destination whose
// secrets were left out of an export and not set again.
func leftOutError(profileName string, i int, d Destination, missing []string) *FieldError {
	field := d.Kind + ".key"
	how := fmt.Sprintf("golive profile set %q %q reads it from standard input", profileName, "dest."+d.Name+".key=-")
	if slices.Contains(d.SecretsLeftOut, LeftOutURL) {
		field = d.Kind + ".url"
		how = fmt.Sprintf("golive profile set %q %q with the full URL", profileName, "dest."+d.Name+".url=URL")
		if slices.Contains(d.SecretsLeftOut, LeftOutKey) {
			how += fmt.Sprintf(" and %q", "dest."+d.Name+".key=-")
		}
	}
	return &FieldError{Dest: i, DestName: d.Name, Field: field, Message: fmt.Sprintf(
		"the %s %s %s: set %s again (%s, or edit the destination)",
		strings.Join(missing, " and "), wasWere(len(missing)), LeftOutOnExport, itThem(len(missing)), how)}
}

func wasWere(n int) string {
	if n == 1 {
		return "was"
	}
	return "were"
}

func itThem(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

// leftOutSummary lists the destinations of p whose secrets are missing,
// each with what is missing: "SRT cam (passphrase, stream id password)".
func leftOutSummary(p Profile) []string {
	var out []string
	for _, d := range p.Destinations {
		if m := d.MissingSecrets(); len(m) > 0 {
			out = append(out, d.Name+" ("+strings.Join(m, ", ")+")")
		}
	}
	return out
}

// ForgetLeftOut drops what (LeftOutKey, LeftOutURL) from the secrets left
// out: the user has set it again, possibly to nothing (an SRT listener
// without a passphrase).
func (d *Destination) ForgetLeftOut(what string) {
	d.SecretsLeftOut = slices.DeleteFunc(d.SecretsLeftOut, func(s string) bool { return s == what })
	if len(d.SecretsLeftOut) == 0 {
		d.SecretsLeftOut = nil
	}
}
