package faults

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"unicode"

	"golive/app/cli"
	"golive/app/profile"
)

// FuzzProfileSet types any KEY=VALUE into `golive profile set` (every
// field of a profile a user can type, destinations included) through the
// real command line and store: never a panic, exit 0/1/2, and the stored
// profile still loads and validates afterwards (an accepted value must be
// a valid one). Corpus: testdata/fuzz/FuzzProfileSet.
func FuzzProfileSet(f *testing.F) {
	for _, kv := range [][2]string{
		{"size", "1280x720"}, {"fps", "60"}, {"region", "0,0,640,360"}, {"video_bitrate", "6M"},
		{"display", ":0.0"}, {"audio_device", "USB Mic"}, {"cursor", "false"}, {"audio", "none"},
		{"dest.rec.path", "out.mp4"}, {"dest.rec.format", "mp4"}, {"dest.rec.enabled", "no"},
		{"width", "-1"}, {"fps", "1e9"}, {"region", "１,２,３,４"}, {"encoder", "h264_\u202e"},
		{"dest.rec.path", "/proc/x.mkv"}, {"name", "Ünïcode 🎥"}, {"dest..path", "x"},
	} {
		f.Add(kv[0], kv[1])
	}
	f.Fuzz(func(t *testing.T, key, value string) {
		dir := t.TempDir()
		kr := &profile.MemoryKeyring{}
		run := func(args ...string) (int, string) {
			var out, errb bytes.Buffer
			code := cli.Main(context.Background(), args, cli.Env{Stdout: &out, Stderr: &errb, ConfigDir: dir, Keyring: kr})
			return code, out.String() + errb.String()
		}
		if code, out := run("profile", "add", "p"); code != 0 {
			t.Fatalf("profile add: %d %s", code, out)
		}
		if code, out := run("profile", "add-dest", "p", "--record", dir+"/rec.mkv", "--name", "rec"); code != 0 {
			t.Fatalf("profile add-dest: %d %s", code, out)
		}
		code, out := run("profile", "set", "p", key+"="+value)
		if code != cli.ExitOK && code != cli.ExitFailure && code != cli.ExitUsage || showsPanic(out, key+value) {
			t.Fatalf("profile set %q=%q: exit %d: %s", key, value, code, out)
		}
		name := "p"
		if code == cli.ExitOK && strings.EqualFold(strings.TrimSpace(key), "name") {
			name = value
		}
		// The store is never left unreadable or holding an invalid profile.
		st := &profile.Store{Dir: dir, Keyring: kr}
		if err := st.Open(); err != nil {
			t.Fatalf("store after set %q=%q: %v", key, value, err)
		}
		defer st.Close()
		p, err := st.Get(name)
		if code == cli.ExitOK && err != nil {
			t.Fatalf("profile %q after set %q=%q: %v", name, key, value, err)
		}
		if code == cli.ExitOK {
			if err := p.Validate(); err != nil {
				t.Fatalf("set %q=%q accepted but the profile does not validate: %v", key, value, err)
			}
		}
	})
}

// showsPanic reports output that tells of a panic (a recovered one, or
// fmt's "%!v(PANIC=String method: ...)"), in any letter case. Output that
// echoes what the user typed ("unknown setting \"panic\"") does not count:
// when the typed letters, with anything else dropped (a control byte a
// message may strip), spell "panic", the output is not evidence.
func showsPanic(out, typed string) bool {
	letters := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, typed)
	return strings.Contains(strings.ToLower(out), "panic") && !strings.Contains(letters, "panic")
}

// TestShowsPanic: the fuzz oracle reports a printed panic, and not the
// word "panic" the user typed and a message echoes.
func TestShowsPanic(t *testing.T) {
	if !showsPanic("golive: %!v(PANIC=String method: runtime error)", "size=1280x720") {
		t.Error("fmt's PANIC= is not reported")
	}
	if showsPanic(`golive: unknown setting "panic" (see golive profile help)`, "panic"+"x") {
		t.Error("an echoed key \"panic\" is reported")
	}
}
