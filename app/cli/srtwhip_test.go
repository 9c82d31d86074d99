package cli

import (
	"flag"
	"io"
	"strings"
	"testing"

	"golive/app/profile"
)

// TestProfileSRTWHIPDestinations: add-dest --srt/--whip with the secret
// from standard input, dest.NAME.key/latency/url, show masked, no secret
// in any output.
func TestProfileSRTWHIPDestinations(t *testing.T) {
	const pass, tok = "srt-passphrase-42", "whip-token-9f8e7d"
	h := newProfileHarness(t, &profile.MemoryKeyring{})
	h.ok("", "add", "p")
	h.ok(pass+"\n", "add-dest", "p", "--srt", "srt://127.0.0.1:9000?streamid=publish:cam", "--key", "-", "--latency", "250", "--name", "contrib")
	h.ok("", "add-dest", "p", "--whip", "https://whip.example.com/live/whip#"+tok, "--name", "cf")
	h.fails("--latency applies to --srt", "add-dest", "p", "--whip", "https://h/x", "--latency", "100", "--name", "x")
	h.fails("exactly one of", "add-dest", "p", "--srt", "srt://h:1", "--whip", "https://h/x")
	h.ok("", "set", "p", "dest.contrib.latency=300", "dest.cf.url=https://whip2.example.com/w")
	h.fails("out of range", "set", "p", "dest.contrib.latency=5")
	// A latency in the URL and another in the field: refused, naming both.
	h.fails("latency set twice: 300 ms in the latency field and latency=200000 (200ms) in the URL",
		"set", "p", "dest.contrib.url=srt://127.0.0.1:9000?streamid=publish:cam&latency=200000")
	h.fails("latency set twice", "add-dest", "p", "--srt", "srt://h:9000?latency=200000", "--latency", "250", "--name", "y")
	out := h.ok("", "show", "p")
	for _, want := range []string{"srt srt://127.0.0.1:9000?streamid=publish%3Acam, latency 300 ms, passphrase", "whip https://whip2.example.com/w, token"} {
		if !strings.Contains(out, want) {
			t.Errorf("show: want %q in\n%s", want, out)
		}
	}
	js := h.ok("", "show", "p", "--json")
	text := h.all.String() + h.logBuf.String() + js
	if strings.Contains(text, pass) || strings.Contains(text, tok) {
		t.Fatalf("a secret leaked:\n%s", text)
	}
}

// TestLiveSRTWHIPFlags: --whip-token pairs with --whip in order, "-" reads
// one line of standard input per token; bad values are usage errors.
func TestLiveSRTWHIPFlags(t *testing.T) {
	parse := func(stdin io.Reader, args ...string) ([]profile.Destination, error) {
		var f srtWHIPLiveFlags
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		f.register(fs)
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		return f.destinations(stdin)
	}
	ds, err := parse(strings.NewReader("first-token\nsecond-token\n"),
		"--whip", "https://a.example/whip", "--whip", "https://b.example/whip", "--whip", "https://c.example/whip#own",
		"--whip-token", "-", "--whip-token", "-", "--srt", "srt://h:9000?passphrase=0123456789ab")
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 4 || ds[0].SRT.Key != "0123456789ab" || ds[1].WHIP.Key != "first-token" ||
		ds[2].WHIP.Key != "second-token" || ds[3].WHIP.Key != "own" {
		t.Fatalf("destinations %+v", ds)
	}
	for _, bad := range [][]string{
		{"--whip-token", "x"},
		{"--whip", "https://a/w#one", "--whip-token", "two"},
		{"--whip", "ftp://a/w"},
		{"--srt", "srt://h:9000?latency=20"},
		{"--whip", "https://a/w", "--whip-token", "-"},
	} {
		if _, err := parse(strings.NewReader(""), bad...); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// TestProfileShowMasksSRTStreamID: `profile show` (text and --json) masks
// the password an SRT stream id carries, as it masks the passphrase.
func TestProfileShowMasksSRTStreamID(t *testing.T) {
	const pass = "sid-password-31415"
	h := newProfileHarness(t, &profile.MemoryKeyring{})
	h.ok("", "add", "p")
	h.ok("", "add-dest", "p", "--srt", "srt://127.0.0.1:9000?streamid=%23!::r=live/x,u=user,p="+pass, "--name", "sid")
	out := h.ok("", "show", "p")
	if want := "srt srt://127.0.0.1:9000?streamid=#!::r=live/x,u=user,p=****1415"; !strings.Contains(out, want) {
		t.Errorf("show: want %q in\n%s", want, out)
	}
	js := h.ok("", "show", "p", "--json")
	if text := h.all.String() + h.logBuf.String() + js; strings.Contains(text, pass) {
		t.Fatalf("the stream id's password leaked:\n%s", text)
	}
}
