package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"golive/app/profile"
	"golive/app/secret"
)

// Keys that FuzzLiveFlags gives on standard input (--rtmp-key -,
// --srt-passphrase -, --whip-token -): no message may show them.
const (
	fuzzStdinKey1 = "stdinKEY-0001-secret"
	fuzzStdinKey2 = "stdinKEY-0002-secret"
)

// FuzzLiveFlags parses any `golive live` command line (one argument a
// line) up to the session configuration, without going live: flags,
// capture and encoder settings, every destination flag, keys read from
// standard input. No panic, an accepted command line gives a session with
// an output for each destination flag, and the keys read from standard
// input never show in the error or on stderr as printed (redacted).
// Corpus: testdata/fuzz/FuzzLiveFlags.
func FuzzLiveFlags(f *testing.F) {
	for _, s := range []string{
		"--source\ntest\n--audio\nnone\n--record\nout.mkv",
		"--rtmp\nrtmp://live.twitch.tv/app\n--rtmp-key\n-\n--size\n1920x1080\n--fps\n60",
		"--rtmp\nrtmps://h/live2#k-123456\n--rtmp-pin\n00:11\n--region\n0,0,640,360",
		"--rtp\n127.0.0.1:5004?mode=native&srtp=vlc\n--video-bitrate\n6M",
		"--srt\nsrt://h:9000?streamid=publish:cam\n--whip\nhttps://h/whip\n--whip-token\n-",
		"--profile\nnone\n--record\n/dev/null/x.mkv",
	} {
		f.Add(s)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, s string) {
		// Every key the flags register goes to the process-wide registry:
		// a fresh one per input keeps the fuzzer from slowing down as it
		// fills (this worker runs one input at a time).
		secret.Default = &secret.Registry{}
		var stderr bytes.Buffer
		env := Env{Stdout: &stderr, Stderr: &stderr, ConfigDir: dir, Keyring: &profile.MemoryKeyring{},
			Stdin: strings.NewReader(fuzzStdinKey1 + "\n" + fuzzStdinKey2 + "\n"), Logger: NewLogger(&stderr)}
		fs, lf := newLiveFlagSet(env)
		if fs.Parse(strings.Split(s, "\n")) != nil {
			return
		}
		cfg, err := lf.sessionConfig(context.Background(), fs, env)
		shown := stderr.String()
		if err != nil {
			shown += secret.Redact(err.Error())
		}
		for _, k := range []string{fuzzStdinKey1, fuzzStdinKey2} {
			// A key also typed on the command line (--size KEY) is that
			// argument, which a message may quote; not a leak.
			if strings.Contains(shown, k) && !strings.Contains(s, k) {
				t.Fatalf("a key read from standard input shows: %q", shown)
			}
		}
		if err == nil && lf.profile == "" && len(cfg.Outputs) == 0 {
			t.Fatalf("%q: accepted without an output", s)
		}
	})
}
