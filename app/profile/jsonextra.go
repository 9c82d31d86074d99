package profile

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
)

// Every model type keeps the JSON fields it does not know in Extra and
// writes them back, so a file edited by a newer GoLive survives a save by
// this one.

var knownFields sync.Map // reflect.Type -> map[string]bool (lower-case names)

func jsonNames(t reflect.Type) map[string]bool {
	if v, ok := knownFields.Load(t); ok {
		return v.(map[string]bool)
	}
	names := make(map[string]bool)
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		names[strings.ToLower(name)] = true
	}
	knownFields.Store(t, names)
	return names
}

// decodeKnown unmarshals data into dst (a pointer to a struct without
// custom JSON methods) and returns the fields dst does not have.
func decodeKnown(data []byte, dst any) (map[string]json.RawMessage, error) {
	if err := json.Unmarshal(data, dst); err != nil {
		return nil, err
	}
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		return nil, nil
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(data, &all); err != nil {
		return nil, err
	}
	known := jsonNames(reflect.TypeOf(dst).Elem())
	for k := range all {
		if known[strings.ToLower(k)] {
			delete(all, k)
		}
	}
	if len(all) == 0 {
		return nil, nil
	}
	return all, nil
}

// encodeWithExtra marshals v (a struct without custom JSON methods) and
// adds the extra fields that v does not define itself.
func encodeWithExtra(v any, extra map[string]json.RawMessage) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil || len(extra) == 0 {
		return b, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	known := jsonNames(reflect.TypeOf(v))
	for k, raw := range extra {
		if !known[strings.ToLower(k)] && json.Valid(raw) {
			m[k] = raw
		}
	}
	return json.Marshal(m)
}

// MarshalJSON implements json.Marshaler, keeping unknown fields.
func (p Profile) MarshalJSON() ([]byte, error) {
	type plain Profile
	return encodeWithExtra(plain(p), p.Extra)
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown fields.
func (p *Profile) UnmarshalJSON(b []byte) error {
	type plain Profile
	var x plain
	extra, err := decodeKnown(b, &x)
	*p = Profile(x)
	p.Extra = extra
	return err
}

// MarshalJSON implements json.Marshaler, keeping unknown fields.
func (c Capture) MarshalJSON() ([]byte, error) {
	type plain Capture
	return encodeWithExtra(plain(c), c.Extra)
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown fields.
func (c *Capture) UnmarshalJSON(b []byte) error {
	type plain Capture
	var x plain
	extra, err := decodeKnown(b, &x)
	*c = Capture(x)
	c.Extra = extra
	return err
}

// MarshalJSON implements json.Marshaler, keeping unknown fields.
func (e Encoder) MarshalJSON() ([]byte, error) {
	type plain Encoder
	return encodeWithExtra(plain(e), e.Extra)
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown fields.
func (e *Encoder) UnmarshalJSON(b []byte) error {
	type plain Encoder
	var x plain
	extra, err := decodeKnown(b, &x)
	*e = Encoder(x)
	e.Extra = extra
	return err
}

// MarshalJSON implements json.Marshaler, keeping unknown fields.
func (d Destination) MarshalJSON() ([]byte, error) {
	type plain Destination
	return encodeWithExtra(plain(d), d.Extra)
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown fields.
func (d *Destination) UnmarshalJSON(b []byte) error {
	type plain Destination
	var x plain
	extra, err := decodeKnown(b, &x)
	*d = Destination(x)
	d.Extra = extra
	return err
}

// MarshalJSON implements json.Marshaler, keeping unknown fields.
func (r RTMP) MarshalJSON() ([]byte, error) {
	type plain RTMP
	return encodeWithExtra(plain(r), r.Extra)
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown fields.
func (r *RTMP) UnmarshalJSON(b []byte) error {
	type plain RTMP
	var x plain
	extra, err := decodeKnown(b, &x)
	*r = RTMP(x)
	r.Extra = extra
	return err
}

// MarshalJSON implements json.Marshaler, keeping unknown fields.
func (r RTP) MarshalJSON() ([]byte, error) {
	type plain RTP
	return encodeWithExtra(plain(r), r.Extra)
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown fields.
func (r *RTP) UnmarshalJSON(b []byte) error {
	type plain RTP
	var x plain
	extra, err := decodeKnown(b, &x)
	*r = RTP(x)
	r.Extra = extra
	return err
}

// MarshalJSON implements json.Marshaler, keeping unknown fields.
func (r Record) MarshalJSON() ([]byte, error) {
	type plain Record
	return encodeWithExtra(plain(r), r.Extra)
}

// UnmarshalJSON implements json.Unmarshaler, keeping unknown fields.
func (r *Record) UnmarshalJSON(b []byte) error {
	type plain Record
	var x plain
	extra, err := decodeKnown(b, &x)
	*r = Record(x)
	r.Extra = extra
	return err
}
