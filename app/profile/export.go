package profile

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// exportDoc is the file written by Export: one profile with its schema.
type exportDoc struct {
	GoLiveProfile int  `json:"golive_profile"`
	Schema        int  `json:"schema"`
	WithKeys      bool `json:"with_keys,omitempty"`
	// SecretsLeftOut (an export without keys) tells people which
	// destinations need their secrets entered again after the import.
	SecretsLeftOut string                     `json:"secrets_left_out,omitempty"`
	Profile        Profile                    `json:"profile"`
	Extra          map[string]json.RawMessage `json:"-"`
}

// MarshalJSON implements json.Marshaler, keeping unknown fields.
func (d exportDoc) MarshalJSON() ([]byte, error) {
	type plain exportDoc
	return encodeWithExtra(plain(d), d.Extra)
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown fields.
func (d *exportDoc) UnmarshalJSON(b []byte) error {
	type plain exportDoc
	var x plain
	extra, err := decodeKnown(b, &x)
	*d = exportDoc(x)
	d.Extra = extra
	return err
}

// ExportJSON renders one profile for sharing. Secrets (stream keys, SRT
// passphrases and stream id passwords, WHIP tokens, key-like URL
// parameters) and keychain references are left out unless withKeys.
func (s *Store) ExportJSON(name string, withKeys bool) ([]byte, error) {
	p, err := s.Get(name)
	if err != nil {
		return nil, err
	}
	return EncodeExport(p, withKeys)
}

// EncodeExport renders p in the export format.
func EncodeExport(p Profile, withKeys bool) ([]byte, error) {
	p = p.Clone()
	for i := range p.Destinations {
		d := &p.Destinations[i]
		if !withKeys {
			d.stripSecrets()
		} else if _, ref, ok := d.secretFields(); ok {
			*ref = ""
		}
	}
	doc := exportDoc{GoLiveProfile: 1, Schema: CurrentSchema, WithKeys: withKeys, Profile: p}
	if left := leftOutSummary(p); len(left) > 0 {
		doc.SecretsLeftOut = "Secrets were left out of this file; after importing it, set them again for: " +
			strings.Join(left, ", ")
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode export: %w", err)
	}
	return append(b, '\n'), nil
}

// Export writes one profile to path (mode 0600, atomically).
func (s *Store) Export(name, path string, withKeys bool) error {
	data, err := s.ExportJSON(name, withKeys)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := writeAtomic(path, data, "", nil); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// DecodeExport reads an export file (or a bare profile object).
func DecodeExport(data []byte) (Profile, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil || probe == nil {
		if err == nil {
			err = errors.New("null")
		}
		return Profile{}, fmt.Errorf("not a GoLive profile export: %s", jsonReason(err))
	}
	var p Profile
	if _, ok := probe["profile"]; ok {
		var d exportDoc
		if err := json.Unmarshal(data, &d); err != nil {
			return Profile{}, fmt.Errorf("not a GoLive profile export: %s", jsonReason(err))
		}
		// A newer export's unknown fields stay in Extra.
		p = d.Profile
	} else if _, ok := probe["profiles"]; ok {
		return Profile{}, errors.New("this is a whole profiles file, not an export of one profile: export a profile with `golive profile export NAME FILE`")
	} else if err := json.Unmarshal(data, &p); err != nil {
		return Profile{}, fmt.Errorf("not a GoLive profile export: %s", jsonReason(err))
	}
	for i := range p.Destinations {
		if _, ref, ok := p.Destinations[i].secretFields(); ok {
			*ref = "" // refers to another machine's keychain
		}
	}
	return p, nil
}

// ImportOptions changes how Import treats an existing profile.
type ImportOptions struct {
	// Name, if set, replaces the imported profile's name.
	Name string
	// Replace overwrites an existing profile of the same name.
	Replace bool
}

// Import reads an export file and adds its profile. It returns the
// profile as saved; destinations without a key are listed in Notices.
func (s *Store) Import(path string, opt ImportOptions) (Profile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Profile{}, fmt.Errorf("import: %w", err)
	}
	p, err := DecodeExport(data)
	if err != nil {
		return Profile{}, fmt.Errorf("import %s: %w", path, err)
	}
	if opt.Name != "" {
		p.Name = opt.Name
	}
	if err := prepare(&p); err != nil {
		return Profile{}, fmt.Errorf("import %s: %w", path, err)
	}
	err = s.mutate(func(doc *fileDoc) error {
		i := find(doc, p.Name)
		switch {
		case i >= 0 && !opt.Replace:
			return fmt.Errorf("%w: %q (import with another name, or replace it)", ErrExists, p.Name)
		case i >= 0:
			doc.Profiles[i] = p
		default:
			doc.Profiles = append(doc.Profiles, p)
		}
		return nil
	})
	if err != nil {
		return Profile{}, err
	}
	if missing := missingAfterImport(p); len(missing) > 0 {
		s.mu.Lock()
		s.notify("Profile %q was imported without secrets for: %s. Set them again before going live.", p.Name, strings.Join(missing, ", "))
		s.mu.Unlock()
	}
	return s.Get(p.Name)
}

// missingAfterImport lists the destinations of an imported profile that
// lack a secret: "Twitch (stream key)", "SRT cam (passphrase, stream id
// password)".
func missingAfterImport(p Profile) []string {
	var out []string
	for _, d := range p.Destinations {
		m := d.MissingSecrets()
		if len(m) == 0 && d.RTMP != nil && d.RTMP.missingKey() {
			m = []string{"stream key"}
		}
		if len(m) > 0 {
			out = append(out, d.Name+" ("+strings.Join(m, ", ")+")")
		}
	}
	return out
}

// LeftOutSummary lists the destinations of p whose secrets an export
// without keys leaves out, each with what: "SRT cam (passphrase, stream
// id password)".
func LeftOutSummary(p Profile) []string {
	c := p.Clone()
	for i := range c.Destinations {
		c.Destinations[i].stripSecrets()
	}
	return leftOutSummary(c)
}
