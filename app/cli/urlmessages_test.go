package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestURLMessagesReadable: a malformed --srt, --whip or --rtmp value that
// holds no secret gets a message that is readable as printed: the example
// URLs in it are not mangled by the redaction that every printed error
// goes through (it once read "want srt://HOST:PORT/[REDACTED] with a
// port"), and it says what is wrong.
func TestURLMessagesReadable(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--srt", ""}, "--srt: empty (want an srt:// URL with a host and port, e.g. srt://example.com:9000"},
		{[]string{"--srt", "srt://example.com"}, "--srt: want a host with a port after srt:// (e.g. srt://example.com:9000)"},
		{[]string{"--srt", "srt://example.com:9000/live"}, "--srt: want only a host and port after srt:// (no path"},
		{[]string{"--whip", ""}, "--whip: empty"},
		{[]string{"--rtmp", "rtmp://example.com"}, "missing application name and stream key (want rtmp://host/app/ with the stream key after it"},
	} {
		var stderr bytes.Buffer
		env := Env{Stdout: &bytes.Buffer{}, Stderr: &stderr}
		code := Main(context.Background(), append([]string{"live", "--source", "test", "--audio", "test"}, c.args...), env)
		out := stderr.String()
		if code != ExitUsage || !strings.Contains(out, c.want) || strings.Contains(out, "[REDACTED]") ||
			strings.Count(out, "\n") != 1 {
			t.Errorf("%q: exit %d, stderr %q; want exit %d and one line with %q, nothing redacted",
				c.args, code, out, ExitUsage, c.want)
		}
	}
}
