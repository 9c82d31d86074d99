package profile

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestFirstStartCreatesLocalPreview(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "golive")
	s, _ := openStore(t, dir, nil)
	if got := s.Names(); !reflect.DeepEqual(got, []string{"Local preview"}) {
		t.Fatalf("Names = %v", got)
	}
	p, err := s.Get("Local preview")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Destinations) != 1 || p.Destinations[0].RTP == nil || p.Destinations[0].RTP.Host != "127.0.0.1" ||
		p.Destinations[0].RTP.Port != 5004 || p.Destinations[0].Name != "Local preview" || !p.Destinations[0].Enabled {
		t.Fatalf("default destinations = %+v", p.Destinations)
	}
	for _, d := range p.Destinations {
		if d.Kind == KindRecord {
			t.Fatal("recording must be off by default")
		}
	}
	if err := p.ValidateForLive(); err != nil {
		t.Fatalf("default profile not valid: %v", err)
	}
	if s.Selected() != "Local preview" {
		t.Fatalf("Selected = %q", s.Selected())
	}
	requireMode0600(t, s.Path())
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Fatalf("dir mode %o", fi.Mode().Perm())
	}
	if n := s.Notices(); len(n) != 0 {
		t.Fatalf("first start should be silent, got %q", n)
	}
}

func TestRoundTripEveryField(t *testing.T) {
	for _, tc := range []struct {
		name string
		kr   Keyring
	}{{"keychain", &MemoryKeyring{}}, {"file", nil}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s, logs := openStore(t, dir, tc.kr)
			want := fullProfile()
			want.Extra = map[string]json.RawMessage{"future_top": json.RawMessage(`{"a":[1,2]}`)}
			want.Destinations[0].RTMP.Extra = map[string]json.RawMessage{"future_rtmp": json.RawMessage(`"x"`)}
			if err := want.Validate(); err != nil {
				t.Fatalf("fixture invalid: %v", err)
			}
			if err := s.Add(want); err != nil {
				t.Fatal(err)
			}
			// A second, independent store reads what the first wrote.
			s2, logs2 := openStore(t, dir, tc.kr)
			got, err := s2.Get(want.Name)
			if err != nil {
				t.Fatal(err)
			}
			if tc.kr != nil {
				if got.Destinations[0].RTMP.KeyRef == "" {
					t.Fatal("keychain mode: no key reference saved")
				}
				got.Destinations[0].RTMP.KeyRef = ""
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("round trip differs:\n got %+v\nwant %+v", got, want)
			}
			file := readFile(t, s.Path())
			if tc.kr != nil {
				requireNoLeak(t, "profiles file (keychain mode)", file)
				if tc.kr.(*MemoryKeyring).Len() != 1 {
					t.Fatalf("keychain holds %d keys", tc.kr.(*MemoryKeyring).Len())
				}
			} else if !strings.Contains(file, testKey) {
				t.Fatal("file mode: key not in the file")
			}
			requireNoLeak(t, "logs", logs.String()+logs2.String())
			requireMode0600(t, s.Path())
		})
	}
}

func TestJSONRoundTripAllTypes(t *testing.T) {
	p := fullProfile()
	p.Capture.Extra = map[string]json.RawMessage{"hdr": json.RawMessage(`true`)}
	p.Encoder.Extra = map[string]json.RawMessage{"bframes": json.RawMessage(`2`)}
	p.Destinations[1].Extra = map[string]json.RawMessage{"priority": json.RawMessage(`5`)}
	p.Destinations[1].RTP.Extra = map[string]json.RawMessage{"fec": json.RawMessage(`"ulp"`)}
	p.Destinations[2].Record.Extra = map[string]json.RawMessage{"split": json.RawMessage(`{"minutes":30}`)}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back Profile
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, p) {
		t.Fatalf("differs:\n got %+v\nwant %+v", back, p)
	}
}

func TestUnknownFieldsFromNewerVersionPreserved(t *testing.T) {
	dir := t.TempDir()
	newer := `{"schema": 7, "selected": "Show", "cloud_sync": {"id": 42},
	 "profiles": [{"name": "Show", "scene": "intro",
	  "capture": {"source": "test", "audio": "test", "cursor": false, "hdr": true},
	  "encoder": {"width": 1280, "height": 720, "fps": 30, "video_bitrate": 2500000, "audio_bitrate": 128000, "codec2": "av1"},
	  "destinations": [{"name": "Rec", "kind": "record", "enabled": true, "schedule": "8pm",
	     "record": {"path": "/tmp/a.mkv", "split_minutes": 30}}]}]}`
	writeFile(t, filepath.Join(dir, FileName), newer)
	s, _ := openStore(t, dir, nil)
	notices := strings.Join(s.Notices(), "\n")
	if !strings.Contains(notices, "newer GoLive") || !strings.Contains(notices, "version 7") {
		t.Fatalf("notice = %q", notices)
	}
	p, err := s.Get("Show")
	if err != nil {
		t.Fatal(err)
	}
	p.Encoder.FPS = 25
	if err := s.Put(p); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(readFile(t, s.Path())), &doc); err != nil {
		t.Fatal(err)
	}
	prof := doc["profiles"].([]any)[0].(map[string]any)
	dest := prof["destinations"].([]any)[0].(map[string]any)
	checks := map[string]any{
		"schema":             doc["schema"],
		"cloud_sync.id":      doc["cloud_sync"].(map[string]any)["id"],
		"scene":              prof["scene"],
		"capture.hdr":        prof["capture"].(map[string]any)["hdr"],
		"encoder.codec2":     prof["encoder"].(map[string]any)["codec2"],
		"encoder.fps":        prof["encoder"].(map[string]any)["fps"],
		"dest.schedule":      dest["schedule"],
		"record.split_minut": dest["record"].(map[string]any)["split_minutes"],
	}
	want := map[string]any{"schema": 7.0, "cloud_sync.id": 42.0, "scene": "intro", "capture.hdr": true,
		"encoder.codec2": "av1", "encoder.fps": 25.0, "dest.schedule": "8pm", "record.split_minut": 30.0}
	if !reflect.DeepEqual(checks, want) {
		t.Fatalf("after save:\n got %v\nwant %v", checks, want)
	}
}

func TestMigrationFromVersion0(t *testing.T) {
	dir := t.TempDir()
	v0 := readFile(t, testdataPath("profiles-v0.json"))
	writeFile(t, filepath.Join(dir, FileName), v0)
	kr := &MemoryKeyring{}
	s, logs := openStore(t, dir, kr)
	if n := strings.Join(s.Notices(), "\n"); !strings.Contains(n, "upgraded from format version 0 to 1") {
		t.Fatalf("notices = %q", n)
	}
	if got := s.Names(); !reflect.DeepEqual(got, []string{"Company town hall", "Twitch"}) {
		t.Fatalf("names = %v", got)
	}
	if s.Selected() != "Twitch" {
		t.Fatalf("selected = %q", s.Selected())
	}
	tw, _ := s.Get("Twitch")
	want := Profile{
		Name:    "Twitch",
		Capture: Capture{Source: "screen", Display: ":0", Audio: "mic", Cursor: true},
		Encoder: Encoder{Width: 1920, Height: 1080, FPS: 60, VideoBitrate: 6_000_000, Encoder: "libx264",
			Preset: "veryfast", AudioBitrate: 160_000},
		Destinations: []Destination{
			{Name: "RTMP", Kind: KindRTMP, Enabled: true, RTMP: &RTMP{Service: "custom",
				URL: "rtmp://live.twitch.tv/app", Key: testKey}},
			{Name: "RTP", Kind: KindRTP, Enabled: true, RTP: &RTP{Host: "127.0.0.1", Port: 5004, Mode: "native"}},
			{Name: "Recording", Kind: KindRecord, Enabled: true, Record: &Record{Path: "/home/me/twitch.mkv"}},
		},
		Extra: map[string]json.RawMessage{"theme": json.RawMessage(`"dark"`)},
	}
	tw.Destinations[0].RTMP.KeyRef = ""
	if !reflect.DeepEqual(tw, want) {
		t.Fatalf("migrated:\n got %+v\nwant %+v", tw, want)
	}
	town, _ := s.Get("Company town hall")
	if err := town.Validate(); err != nil {
		t.Fatalf("migrated town hall invalid: %v", err)
	}
	file := readFile(t, s.Path())
	if !strings.Contains(file, `"schema": 1`) {
		t.Fatalf("not rewritten as schema 1:\n%s", file)
	}
	requireNoLeak(t, "migrated file", file)
	if bak := readFile(t, s.Path()+".bak"); bak != v0 {
		t.Fatalf("backup is not the version-0 file:\n%s", bak)
	}
	requireNoLeak(t, "logs", logs.String())
}
