package profile

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
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

func TestKeysInFileWarnOnce(t *testing.T) {
	dir := t.TempDir()
	s, _ := openStore(t, dir, nil)
	p := fullProfile()
	if err := s.Add(p); err != nil {
		t.Fatal(err)
	}
	n := s.Notices()
	if len(n) != 1 || !strings.Contains(n[0], "No OS keychain") || !strings.Contains(n[0], "0600") {
		t.Fatalf("notices = %q", n)
	}
	requireNoLeak(t, "notice", n[0])
	p.Encoder.FPS = 30
	if err := s.Put(p); err != nil {
		t.Fatal(err)
	}
	s2, _ := openStore(t, dir, nil)
	if err := s2.Rename(p.Name, "Renamed"); err != nil {
		t.Fatal(err)
	}
	if n := append(s.Notices(), s2.Notices()...); len(n) != 0 {
		t.Fatalf("warning repeated: %q", n)
	}
	requireMode0600(t, s.Path())
	requireMode0600(t, s.Path()+".bak")
}

// TestKeychainFailureSavesNothing: a keychain that is there but refuses a
// key makes the save fail with a clear error; the key never moves to the
// plain file behind the user's back.
func TestKeychainFailureSavesNothing(t *testing.T) {
	dir := t.TempDir()
	kr := &MemoryKeyring{Fail: errors.New("locked collection")}
	s, _ := openStore(t, dir, kr)
	err := s.Add(fullProfile())
	if err == nil || !strings.Contains(err.Error(), "locked collection") || !strings.Contains(err.Error(), "nothing was saved") {
		t.Fatalf("Add with a failing keychain: %v", err)
	}
	if strings.Contains(err.Error(), testKey) {
		t.Fatal("error shows the key")
	}
	requireNoLeak(t, "profiles file", readFile(t, s.Path()))
	if !s.KeysInKeychain() {
		t.Fatal("switched away from the keychain")
	}
	if _, err := s.Get(fullProfile().Name); err == nil {
		t.Fatal("the profile was saved without its key")
	}
}

func TestKeysMoveToKeychainWhenAvailable(t *testing.T) {
	dir := t.TempDir()
	s, _ := openStore(t, dir, nil)
	if err := s.Add(fullProfile()); err != nil {
		t.Fatal(err)
	}
	kr := &MemoryKeyring{}
	s2, _ := openStore(t, dir, kr)
	requireNoLeak(t, "file after keychain appeared", readFile(t, s2.Path()))
	if kr.Len() != 1 {
		t.Fatalf("keychain has %d keys", kr.Len())
	}
	p, _ := s2.Get(fullProfile().Name)
	if p.Destinations[0].RTMP.Key != testKey {
		t.Fatal("key not readable after moving")
	}
}

func TestDeleteRemovesKeychainEntries(t *testing.T) {
	kr := &MemoryKeyring{}
	s, _ := openStore(t, t.TempDir(), kr)
	p := fullProfile()
	if err := s.Add(p); err != nil {
		t.Fatal(err)
	}
	p.Name = "Copy"
	p.Destinations[0].RTMP.Key = testKey + "2"
	if err := s.Add(p); err != nil {
		t.Fatal(err)
	}
	if kr.Len() != 2 {
		t.Fatalf("keychain has %d", kr.Len())
	}
	if err := s.Delete("Copy"); err != nil {
		t.Fatal(err)
	}
	if kr.Len() != 1 {
		t.Fatalf("after delete keychain has %d", kr.Len())
	}
	got, _ := s.Get(fullProfile().Name)
	got.Destinations[0].RTMP.Key = ""
	if err := s.Put(got); err != nil {
		t.Fatal(err)
	}
	if kr.Len() != 0 {
		t.Fatalf("cleared key still in keychain (%d)", kr.Len())
	}
}

func TestMissingKeychainEntryIsReported(t *testing.T) {
	dir := t.TempDir()
	kr := &MemoryKeyring{}
	s, _ := openStore(t, dir, kr)
	if err := s.Add(fullProfile()); err != nil {
		t.Fatal(err)
	}
	s2, _ := openStore(t, dir, &MemoryKeyring{}) // another machine's empty keychain
	n := strings.Join(s2.Notices(), "\n")
	if !strings.Contains(n, `"Twitch"`) || !strings.Contains(n, "missing from the OS keychain") {
		t.Fatalf("notices = %q", n)
	}
	p, _ := s2.Get(fullProfile().Name)
	if err := p.ValidateForLive(); err == nil || !strings.Contains(err.Error(), "stream key is missing") {
		t.Fatalf("ValidateForLive = %v", err)
	}
}

func TestOperations(t *testing.T) {
	s, _ := openStore(t, t.TempDir(), &MemoryKeyring{})
	p := fullProfile()
	if err := s.Add(p); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(p); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate Add: %v", err)
	}
	lower := p
	lower.Name = strings.ToUpper(p.Name)
	if err := s.Add(lower); !errors.Is(err, ErrExists) {
		t.Fatalf("case-insensitive duplicate Add: %v", err)
	}
	if err := s.Select(p.Name); err != nil {
		t.Fatal(err)
	}
	if err := s.Rename(p.Name, "Local preview"); !errors.Is(err, ErrExists) {
		t.Fatalf("rename onto existing: %v", err)
	}
	if err := s.Rename(p.Name, "Show"); err != nil {
		t.Fatal(err)
	}
	if s.Selected() != "Show" {
		t.Fatalf("selection not renamed: %q", s.Selected())
	}
	if _, err := s.Get(p.Name); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "Show") {
		t.Fatalf("Get old name: %v", err)
	}
	show, _ := s.Get("show") // case-insensitive lookup
	show.Name = "Show 2"
	if err := s.Update("Show", show); err != nil {
		t.Fatal(err)
	}
	if got := s.Names(); !reflect.DeepEqual(got, []string{"Local preview", "Show 2"}) {
		t.Fatalf("names = %v", got)
	}
	if err := s.Delete("Show 2"); err != nil {
		t.Fatal(err)
	}
	if s.Selected() != "Local preview" {
		t.Fatalf("selected after delete = %q", s.Selected())
	}
	bad := fullProfile()
	bad.Encoder.FPS = 0
	err := s.Put(bad)
	if fe := FieldErrors(err); len(fe) != 1 || fe[0].Field != "encoder.fps" {
		t.Fatalf("Put invalid: %v", err)
	}
}

func TestTwoStoresDoNotClobber(t *testing.T) {
	dir := t.TempDir()
	a, _ := openStore(t, dir, nil)
	b, _ := openStore(t, dir, nil)
	done := make(chan error, 2)
	for i, s := range []*Store{a, b} {
		go func() {
			for j := 0; j < 10; j++ {
				p := DefaultProfile()
				p.Name = string(rune('A'+i)) + "-" + string(rune('0'+j))
				if err := s.Add(p); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	c, _ := openStore(t, dir, nil)
	if n := len(c.Names()); n != 21 {
		t.Fatalf("%d profiles, want 21: %v", n, c.Names())
	}
	// a's in-memory view catches up with b's writes.
	if n := len(a.Names()); n != 21 {
		t.Fatalf("store a sees %d profiles", n)
	}
}

func TestLockedByAnotherInstance(t *testing.T) {
	dir := t.TempDir()
	s, _ := openStore(t, dir, nil)
	release, err := acquireLock(dir) // another instance in the middle of a save
	if err != nil {
		t.Fatal(err)
	}
	old := lockWait
	lockWait = 100 * time.Millisecond
	defer func() { lockWait = old }()
	err = s.Add(fullProfile())
	want := fmt.Sprintf("profiles file is locked by another GoLive instance (pid %d)", os.Getpid())
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), want) {
		t.Fatalf("Add while locked = %v", err)
	}
	release()
	if err := s.Add(fullProfile()); err != nil {
		t.Fatalf("after release: %v", err)
	}
}
