package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golive/app/profile"
)

const (
	cliKey1 = "live_555666777_TwItChSeCrEtKeY"
	cliKey2 = "yt-abcd-efgh-ijkl-mnop-SECRET"
)

// profileHarness runs `golive profile` commands against one config dir
// and collects everything they print or log.
type profileHarness struct {
	t      *testing.T
	dir    string
	kr     profile.Keyring
	all    bytes.Buffer // stdout + stderr + logs + errors of every run
	logBuf bytes.Buffer
}

func newProfileHarness(t *testing.T, kr profile.Keyring) *profileHarness {
	return &profileHarness{t: t, dir: t.TempDir(), kr: kr}
}

func (h *profileHarness) run(stdin string, args ...string) (stdout, stderr string, err error) {
	var out, errb bytes.Buffer
	env := Env{
		Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(stdin), ConfigDir: h.dir, Keyring: h.kr,
		// Not redacted: the test checks that nothing logs a key at all.
		Logger: slog.New(slog.NewTextHandler(&h.logBuf, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	err = RunProfile(context.Background(), args, env)
	h.all.WriteString(out.String() + errb.String())
	if err != nil {
		h.all.WriteString(err.Error())
	}
	return out.String(), errb.String(), err
}

func (h *profileHarness) ok(stdin string, args ...string) string {
	h.t.Helper()
	out, errOut, err := h.run(stdin, args...)
	if err != nil {
		h.t.Fatalf("golive profile %s: %v\nstderr: %s", strings.Join(args, " "), err, errOut)
	}
	return out
}

func (h *profileHarness) fails(wantMsg string, args ...string) {
	h.t.Helper()
	_, _, err := h.run("", args...)
	if err == nil || !strings.Contains(err.Error(), wantMsg) {
		h.t.Fatalf("golive profile %s: err = %v, want it to contain %q", strings.Join(args, " "), err, wantMsg)
	}
}

func (h *profileHarness) requireNoKeys() {
	h.t.Helper()
	text := h.all.String() + h.logBuf.String()
	for _, k := range []string{cliKey1, cliKey2} {
		if strings.Contains(text, k) {
			h.t.Fatalf("stream key %q leaked in output or logs:\n%s", k, text)
		}
	}
}

func TestProfileCommandsWorkflow(t *testing.T) {
	for _, mode := range []string{"keychain", "file"} {
		t.Run(mode, func(t *testing.T) {
			var kr profile.Keyring = profile.NoKeyring{Reason: "test"}
			if mode == "keychain" {
				kr = &profile.MemoryKeyring{}
			}
			testWorkflow(t, newProfileHarness(t, kr), mode)
		})
	}
}

func testWorkflow(t *testing.T, h *profileHarness, mode string) {
	if out := h.ok("", "list"); !strings.Contains(out, "* Local preview") || !strings.Contains(out, "Local preview (rtp)") {
		t.Fatalf("first list:\n%s", out)
	}
	// The list says which store holds the keys.
	store := "Stream keys are kept in the keychain."
	if mode == "file" {
		store = "Stream keys are kept in the profiles file " + filepath.Join(h.dir, profile.FileName) + " (test)."
	}
	if out := h.ok("", "list"); !strings.Contains(out, store) {
		t.Fatalf("list does not say %q:\n%s", store, out)
	}
	const name = "Twitch + YouTube"
	h.ok("", "add", name, "size=1920x1080", "fps=60", "bitrate=6M", "source=test", "audio=test")
	h.ok(cliKey1+"\n", "add-dest", name, "--rtmp", "rtmps://live.twitch.tv/app", "--rtmp-key", "-", "--name", "Twitch")
	h.ok("", "add-dest", name, "--rtmp", "rtmp://a.rtmp.youtube.com/live2#"+cliKey2)
	h.ok("", "add-dest", name, "--rtp", "127.0.0.1:6000?mode=native", "--disabled")
	h.ok("", "add-dest", "--record", filepath.Join(h.dir, "show.mkv"), name)
	h.ok("", "set", name, "dest.Twitch.enabled=false", "encoder.preset=faster", "audio_bitrate=160k")

	show := h.ok("", "show", name)
	for _, want := range []string{
		"Profile: Twitch + YouTube", "Capture: test, audio test", "Encoder: 1920x1080 @ 60 fps, video 6M (libx264 faster), audio 160k",
		"[off] Twitch: rtmp rtmps://live.twitch.tv/app [twitch], key ****tKeY",
		"[on ] YouTube: rtmp rtmp://a.rtmp.youtube.com/live2 [youtube], key ****CRET",
		"[off] 127.0.0.1:6000: rtp 127.0.0.1:6000?mode=native", "[on ] Recording: record ", "show.mkv (mkv)",
	} {
		if !strings.Contains(show, want) {
			t.Errorf("show lacks %q:\n%s", want, show)
		}
	}
	var shown profile.Profile
	if err := json.Unmarshal([]byte(h.ok("", "show", name, "--json")), &shown); err != nil {
		t.Fatal(err)
	}
	if len(shown.Destinations) != 4 || shown.Destinations[0].RTMP.Key != "****tKeY" || shown.Encoder.FPS != 60 {
		t.Fatalf("show --json: %+v", shown)
	}

	// The keys are stored (keychain or 0600 file) and come back intact.
	st := &profile.Store{Dir: h.dir, Keyring: h.kr, Logger: slog.New(slog.DiscardHandler)}
	if err := st.Open(); err != nil {
		t.Fatal(err)
	}
	p, _ := st.Get(name)
	if p.Destinations[0].RTMP.Key != cliKey1 || p.Destinations[1].RTMP.Key != cliKey2 {
		t.Fatal("stored keys differ")
	}
	file, _ := os.ReadFile(filepath.Join(h.dir, profile.FileName))
	if fi, _ := os.Stat(filepath.Join(h.dir, profile.FileName)); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %o", fi.Mode().Perm())
	}
	if inFile := bytes.Contains(file, []byte(cliKey1)); inFile != (mode == "file") {
		t.Fatalf("%s mode: key in file = %v", mode, inFile)
	}

	exportChecks(t, h, name)

	h.ok("", "rename", name, "Show")
	h.ok("", "remove-dest", "Show", "127.0.0.1:6000")
	h.ok("", "select", "Show")
	if out := h.ok("", "list"); !strings.Contains(out, "* Show           Twitch (rtmp, off), YouTube (rtmp), Recording (record)\n") {
		t.Fatalf("list after edits:\n%s", out)
	}
	h.ok("", "delete", "Show")
	if out := h.ok("", "list", "--json"); strings.Contains(out, `"Show"`) {
		t.Fatalf("not deleted:\n%s", out)
	}
	h.requireNoKeys()
}

func exportChecks(t *testing.T, h *profileHarness, name string) {
	shared := filepath.Join(h.dir, "share.json")
	private := filepath.Join(h.dir, "private.json")
	h.ok("", "export", name, shared)
	stdoutExport := h.ok("", "export", name, "-")
	if !strings.Contains(stdoutExport, `"golive_profile": 1`) {
		t.Fatalf("export to stdout:\n%s", stdoutExport)
	}
	sharedData, _ := os.ReadFile(shared)
	h.all.Write(sharedData) // must hold no key either
	if out := h.ok("", "export", name, private, "--with-keys"); !strings.Contains(out, "WITH stream keys") {
		t.Fatalf("with-keys export message: %s", out)
	}
	if b, _ := os.ReadFile(private); !bytes.Contains(b, []byte(cliKey1)) {
		t.Fatal("--with-keys export lacks the key")
	}
	_, stderr, err := h.run("", "import", shared, "--name", "Imported")
	if err != nil || !strings.Contains(stderr, "without secrets for: Twitch (stream key), YouTube (stream key)") {
		t.Fatalf("import: %v\n%s", err, stderr)
	}
	h.fails(`profile already exists: "Imported"`, "import", shared, "--name", "Imported")
	h.ok("", "import", private, "--name", "Imported", "--replace")
	if out := h.ok("", "show", "Imported"); strings.Contains(out, "no key set") {
		t.Fatalf("keys not imported:\n%s", out)
	}
}

func TestProfileCommandErrors(t *testing.T) {
	h := newProfileHarness(t, &profile.MemoryKeyring{})
	h.ok("", "add", "P")
	cases := []struct {
		args []string
		msg  string
	}{
		{[]string{"bogus"}, `unknown profile command "bogus"`},
		{[]string{"show"}, "usage: golive profile show NAME"},
		{[]string{"show", "Nope"}, `profile not found: "Nope" (profiles: Local preview, P)`},
		{[]string{"add", "P"}, `profile already exists: "P"`},
		{[]string{"add", ""}, "name: profile name is empty"},
		{[]string{"set", "P", "fps=abc"}, `fps="abc": want a whole number`},
		{[]string{"set", "P", "fps=500"}, "encoder.fps: frame rate 500 out of range 1-120"},
		{[]string{"set", "P", "size=big"}, "want WIDTHxHEIGHT"},
		{[]string{"set", "P", "colour=red"}, `unknown setting "colour"`},
		{[]string{"set", "P", "fps"}, "settings are KEY=VALUE"},
		{[]string{"set", "P", "dest.X.enabled=false"}, `profile "P" has no destination "X"`},
		{[]string{"add-dest", "P"}, "exactly one of --rtmp, --rtp, --record, --srt or --whip (got 0)"},
		{[]string{"add-dest", "P", "--rtp", "h:1", "--record", "a.mkv"}, "(got 2)"},
		{[]string{"add-dest", "P", "--rtmp", "http://h/app#" + cliKey1}, `unsupported scheme "http"`},
		{[]string{"add-dest", "P", "--rtmp", "rtmp://h:70000/app#" + cliKey1}, `invalid port "70000"`},
		{[]string{"add-dest", "P", "--rtmp", "rtmp://h/app#" + cliKey1, "--rtmp-key", cliKey2}, "two different stream keys"},
		{[]string{"add-dest", "P", "--rtp", "localhost"}, "want HOST:PORT"},
		{[]string{"add-dest", "P", "--rtp", "h:5004?mode=rtsp"}, "unknown mode"},
		{[]string{"add-dest", "P", "--record", "out.avi"}, `cannot tell the container from "out.avi"`},
		{[]string{"add-dest", "P", "--rtp", "h:5004", "--format", "mkv"}, "--format applies to --record"},
		{[]string{"remove-dest", "P", "Z"}, `profile "P" has no destination "Z"`},
		{[]string{"rename", "P", "Local preview"}, `profile already exists: "Local preview"`},
		{[]string{"rename", "P", " "}, "new profile name is empty"},
		{[]string{"delete", "Nope"}, "profile not found"},
		{[]string{"export", "P"}, "usage: golive profile export NAME FILE"},
		{[]string{"import", filepath.Join(h.dir, "missing.json")}, "no such file"},
	}
	for _, c := range cases {
		_, _, err := h.run("", c.args...)
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%q: err = %v, want %q", c.args, err, c.msg)
			continue
		}
		var u *UsageError
		if !errors.As(err, &u) && !strings.Contains(err.Error(), "not valid") {
			t.Errorf("%q: not a usage error: %v", c.args, err)
		}
	}
	// A key set through `set` with an invalid URL is not echoed back.
	h.ok("", "add-dest", "P", "--rtmp", "rtmp://h/app", "--rtmp-key", cliKey1, "--name", "R")
	h.fails("rtmp.url", "set", "P", "dest.R.url=rtmp://h:0/app/"+cliKey2)
	h.requireNoKeys()
}

func TestProfileCorruptFileMessage(t *testing.T) {
	h := newProfileHarness(t, &profile.MemoryKeyring{})
	path := filepath.Join(h.dir, profile.FileName)
	if err := os.WriteFile(path, []byte(`{"schema":1,"profiles":[{"name":"x",`), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := h.run("", "list")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "golive: note: The profiles file "+path+" is damaged") ||
		!strings.Contains(stderr, "truncated") || !strings.Contains(stderr, "moved to "+path+".corrupt-") {
		t.Fatalf("stderr:\n%s", stderr)
	}
	if !strings.Contains(out, "* Local preview") {
		t.Fatalf("not started with defaults:\n%s", out)
	}
	matches, _ := filepath.Glob(path + ".corrupt-*")
	if len(matches) != 1 {
		t.Fatalf("moved-aside files: %v", matches)
	}
}

func TestProfileKeysInFileWarning(t *testing.T) {
	h := newProfileHarness(t, profile.NoKeyring{Reason: "no Secret Service on this machine"})
	_, stderr, err := h.run("", "add-dest", "Local preview", "--rtmp", "rtmp://h/live/"+cliKey1)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "No OS keychain is available (no Secret Service on this machine)") {
		t.Fatalf("no warning:\n%s", stderr)
	}
	_, stderr, _ = h.run("", "set", "Local preview", "fps=25")
	if strings.Contains(stderr, "keychain") {
		t.Fatalf("warning repeated:\n%s", stderr)
	}
	h.requireNoKeys()
}
