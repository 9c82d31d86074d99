package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"golive/app/profile"
)

// TestArgvSecretWarning: every kind of secret given in argv (RTMP stream
// key, WHIP token after '#' or with --whip-token, SRT passphrase or stream
// id password in the --srt URL) prints exactly one warning line that
// names what was seen and how to give it instead; secrets read from
// standard input print none, and the secret itself is never in the line.
func TestArgvSecretWarning(t *testing.T) {
	const (
		rtmpKey = "live_rtmpkey_98765"
		token   = "whip-token-24680"
		pass    = "srt-passphrase-13579"
		sidPass = "sid-password-11223"
	)
	cases := []struct {
		name  string
		stdin string
		args  []string
		want  []string // substrings of the one warning line; nil = no warning
	}{
		{"rtmp key", "", []string{"--rtmp", "rtmp://127.0.0.1/live#" + rtmpKey},
			[]string{"warning: a stream key on the command line", "--rtmp-key -", "save it in a profile"}},
		{"whip fragment", "", []string{"--whip", "http://127.0.0.1:8889/cam/whip#" + token},
			[]string{"warning: a WHIP token on the command line", "give it with --whip-token - (read from standard input)"}},
		{"whip token flag", "", []string{"--whip", "http://127.0.0.1:8889/cam/whip", "--whip-token", token},
			[]string{"warning: a WHIP token on the command line", "--whip-token -"}},
		{"srt passphrase", "", []string{"--srt", "srt://127.0.0.1:9000?passphrase=" + pass},
			[]string{"warning: an SRT passphrase on the command line", "golive profile add-dest NAME --srt URL --key -"}},
		{"srt stream id password", "", []string{"--srt", "srt://127.0.0.1:9000?streamid=publish:cam:user:" + sidPass},
			[]string{"warning: an SRT passphrase on the command line"}},
		{"all three", "", []string{"--rtmp", "rtmp://127.0.0.1/live/" + rtmpKey, "--whip", "http://127.0.0.1:8889/w#" + token,
			"--srt", "srt://127.0.0.1:9000?passphrase=" + pass},
			[]string{"warning: a stream key, a WHIP token, an SRT passphrase on the command line",
				"give them with --rtmp-key - or --whip-token -", "save them in a profile"}},
		{"from stdin", rtmpKey + "\n" + token + "\n", []string{"--rtmp", "rtmp://127.0.0.1/live", "--rtmp-key", "-",
			"--whip", "http://127.0.0.1:8889/w", "--whip-token", "-", "--srt", "srt://127.0.0.1:9000?streamid=publish:cam"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stderr bytes.Buffer
			env := Env{Stdout: &bytes.Buffer{}, Stderr: &stderr, Stdin: strings.NewReader(c.stdin)}
			fs, f := newLiveFlagSet(env)
			if err := fs.Parse(append([]string{"--source", "test", "--audio", "test"}, c.args...)); err != nil {
				t.Fatal(err)
			}
			if _, err := f.sessionConfig(context.Background(), fs, env); err != nil {
				t.Fatalf("sessionConfig: %v", err)
			}
			out := stderr.String()
			n := strings.Count(out, "golive: warning:")
			if c.want == nil {
				if n != 0 {
					t.Fatalf("warning printed for secrets read from standard input:\n%s", out)
				}
				return
			}
			if n != 1 || strings.Count(out, "\n") != 1 {
				t.Fatalf("want exactly one warning line, got:\n%s", out)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("warning %q lacks %q", out, w)
				}
			}
			for _, s := range []string{rtmpKey, token, pass, sidPass} {
				if strings.Contains(out, s) {
					t.Errorf("the warning shows the secret %q: %s", s, out)
				}
			}
		})
	}
}

// TestProfileArgvSecretWarning: `golive profile add-dest` and `set` given
// a stream key, passphrase or token in their arguments (a flag value or
// inside the URL) end with one warning line pointing to "-"; the same
// secrets read from standard input, and commands without one, print none.
func TestProfileArgvSecretWarning(t *testing.T) {
	h := newProfileHarness(t, &profile.MemoryKeyring{})
	h.ok("", "add", "p")
	const warn = "golive: warning: a key on the command line"
	for _, c := range []struct {
		stdin string
		args  []string
		warns bool
	}{
		{"", []string{"add-dest", "p", "--name", "a", "--rtmp", "rtmp://h/live", "--rtmp-key", cliKey1}, true},
		{"", []string{"add-dest", "p", "--name", "b", "--rtmp", "rtmp://h/live#" + cliKey2}, true},
		{"", []string{"add-dest", "p", "--name", "c", "--srt", "srt://h:9000?passphrase=argv-passphrase-1"}, true},
		{"", []string{"add-dest", "p", "--name", "d", "--whip", "https://w.example/whip", "--key", "argv-token-2"}, true},
		{"", []string{"set", "p", "dest.a.key=argv-key-3"}, true},
		{cliKey1 + "\n", []string{"add-dest", "p", "--name", "e", "--rtmp", "rtmp://h/live", "--rtmp-key", "-"}, false},
		{"stdin-token-4\n", []string{"add-dest", "p", "--name", "f", "--whip", "https://w.example/whip", "--key", "-"}, false},
		{"stdin-key-5\n", []string{"set", "p", "dest.a.key=-"}, false},
		{"", []string{"add-dest", "p", "--name", "g", "--srt", "srt://h:9000"}, false},
		{"", []string{"set", "p", "fps=25"}, false},
	} {
		_, stderr, err := h.run(c.stdin, c.args...)
		if err != nil {
			t.Fatalf("%q: %v", c.args, err)
		}
		if n, want := strings.Count(stderr, warn), map[bool]int{true: 1, false: 0}[c.warns]; n != want {
			t.Errorf("%q: %d warnings, want %d:\n%s", c.args, n, want, stderr)
		}
	}
	h.requireNoKeys()
}
