package profile

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
)

// CurrentSchema is the schema version this GoLive writes.
const CurrentSchema = 1

// migrations[v] turns a schema-v document into schema v+1. They work on
// raw JSON so fields they do not touch (including unknown ones) survive.
var migrations = []func(doc map[string]json.RawMessage) error{
	0: migrate0to1,
}

// schemaOf returns the document's schema version; a file without one is
// version 0 (the prototype's format).
func schemaOf(doc map[string]json.RawMessage) (int, error) {
	raw, ok := doc["schema"]
	if !ok {
		raw, ok = doc["version"]
	}
	if !ok || string(raw) == "null" {
		return 0, nil
	}
	var v int
	if err := json.Unmarshal(raw, &v); err != nil || v < 0 {
		return 0, fmt.Errorf("schema version %s is not a whole number >= 0", truncateRaw(raw))
	}
	return v, nil
}

func truncateRaw(raw json.RawMessage) string {
	s := string(raw)
	if len(s) > 20 {
		s = s[:20] + "..."
	}
	return strconv.Quote(s)
}

// migrate runs the migrations from version from up to CurrentSchema.
func migrate(doc map[string]json.RawMessage, from int) error {
	for v := from; v < CurrentSchema; v++ {
		if err := migrations[v](doc); err != nil {
			return fmt.Errorf("migrating from schema %d to %d: %w", v, v+1, err)
		}
	}
	if from < CurrentSchema {
		doc["schema"] = json.RawMessage(strconv.Itoa(CurrentSchema))
		delete(doc, "version")
	}
	return nil
}

// v0Profile is the prototype's profile: one of each destination, flat
// encoder settings in kb/s, the key next to the URL.
//
//	{"profiles": {"Twitch": {"source": "screen", "display": ":0", "audio": "mic",
//	  "width": 1280, "height": 720, "fps": 30, "bitrate_kbps": 2500,
//	  "audio_bitrate_kbps": 128, "rtmp_url": "rtmp://...", "stream_key": "...",
//	  "rtp": "127.0.0.1:5004", "record": "/path/file.mkv"}}, "last": "Twitch"}
type v0Profile struct {
	Source           string `json:"source"`
	Display          string `json:"display"`
	Audio            string `json:"audio"`
	Width            int    `json:"width"`
	Height           int    `json:"height"`
	FPS              int    `json:"fps"`
	BitrateKbps      int    `json:"bitrate_kbps"`
	AudioBitrateKbps int    `json:"audio_bitrate_kbps"`
	RTMPURL          string `json:"rtmp_url"`
	StreamKey        string `json:"stream_key"`
	RTP              string `json:"rtp"`
	Record           string `json:"record"`
}

func migrate0to1(doc map[string]json.RawMessage) error {
	var old map[string]v0Profile
	var rawOld map[string]json.RawMessage
	if raw, ok := doc["profiles"]; ok {
		if err := json.Unmarshal(raw, &old); err != nil {
			return errors.New("version-0 \"profiles\" must be an object of profiles by name")
		}
		_ = json.Unmarshal(raw, &rawOld)
	}
	names := make([]string, 0, len(old))
	for n := range old {
		names = append(names, n)
	}
	sort.Strings(names)
	profiles := make([]Profile, 0, len(old))
	for _, n := range names {
		p := old[n].toV1(n)
		// Fields the prototype did not define either stay with the profile.
		var v0 v0Profile
		p.Extra, _ = decodeKnown(rawOld[n], &v0)
		profiles = append(profiles, p)
	}
	raw, err := json.Marshal(profiles)
	if err != nil {
		return err
	}
	doc["profiles"] = raw
	if last, ok := doc["last"]; ok {
		doc["selected"] = last
		delete(doc, "last")
	}
	return nil
}

func (o v0Profile) toV1(name string) Profile {
	p := DefaultProfile()
	p.Name = name
	p.Destinations = nil
	if o.Source != "" {
		p.Capture.Source = o.Source
	}
	p.Capture.Display = o.Display
	if o.Audio != "" {
		p.Capture.Audio = o.Audio
	}
	setIf := func(dst *int, v, mult int) {
		if v != 0 {
			*dst = v * mult
		}
	}
	setIf(&p.Encoder.Width, o.Width, 1)
	setIf(&p.Encoder.Height, o.Height, 1)
	setIf(&p.Encoder.FPS, o.FPS, 1)
	setIf(&p.Encoder.VideoBitrate, o.BitrateKbps, 1000)
	setIf(&p.Encoder.AudioBitrate, o.AudioBitrateKbps, 1000)
	if o.RTMPURL != "" {
		r := &RTMP{Service: "custom", URL: o.RTMPURL, Key: o.StreamKey}
		r.normalize()
		p.Destinations = append(p.Destinations, Destination{Name: "RTMP", Kind: KindRTMP, Enabled: true, RTMP: r})
	}
	if o.RTP != "" {
		d, err := ParseRTPFlag(o.RTP)
		if err != nil {
			// Keep what was there; validation will point at it.
			d = Destination{Kind: KindRTP, Enabled: true, RTP: &RTP{Host: o.RTP}}
		}
		d.Name = "RTP"
		p.Destinations = append(p.Destinations, d)
	}
	if o.Record != "" {
		p.Destinations = append(p.Destinations, Destination{Name: "Recording", Kind: KindRecord, Enabled: true,
			Record: &Record{Path: o.Record}})
	}
	return p
}
