package faults

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golive/app/cli"
	"golive/app/profile"
)

// checkCleanError wants one "golive: ..." line: no panic, no stack, no
// raw control character (a terminal escape in a typed value must not
// reach the terminal), no secret.
func checkCleanError(t reporter, what, stderr, secret string) {
	t.Helper()
	if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine ") {
		t.Errorf("%s panicked: %s", what, stderr)
	}
	var last string
	for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if strings.HasPrefix(l, "golive: ") {
			last = l
		}
	}
	if last == "" || len(last) > 2000 {
		t.Errorf("%s: no short 'golive: ...' error line in %q", what, trim(stderr))
	}
	for _, r := range stderr {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || r == utf8.RuneError {
			t.Errorf("%s: raw control character %U in %q", what, r, trim(stderr))
			break
		}
	}
	if secret != "" && strings.Contains(stderr, secret) {
		t.Errorf("%s: the key shows in %q", what, trim(stderr))
	}
}

func trim(s string) string {
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}

// TestHostileLiveFlags types hostile values into every flag of `golive
// live`: huge numbers, unicode, control characters, paths that cannot be
// written, impossible ports. Each gets exit code 2 (usage) or 1 and one
// clear line, never a panic, never a stream.
func TestHostileLiveFlags(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyPort := strconv.Itoa(busy.Addr().(*net.TCPAddr).Port)
	long := strings.Repeat("a", 100_000)
	rec := filepath.Join(t.TempDir(), "x.mkv")
	roDir := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(roDir, 0o500); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, want string
		args       []string
		// known names a problem in a package this suite may not change:
		// logged (and listed in the README), not failed.
		known string
	}{
		{"fps overflow", "fps", []string{"--fps", "99999999999999999999999", "--record", rec}, ""},
		{"fps negative", "--fps -30", []string{"--fps", "-30", "--record", rec}, ""},
		{"size huge", "width 100000", []string{"--size", "100000x100000", "--record", rec}, ""},
		{"size zero", "width 0", []string{"--size", "0x0", "--record", rec}, ""},
		{"size odd", "must be even", []string{"--size", "1281x721", "--record", rec}, ""},
		{"size unicode digits", "size", []string{"--size", "１２８０x７２０", "--record", rec}, ""},
		{"bitrate huge", "--video-bitrate", []string{"--video-bitrate", "999999999999G", "--record", rec}, ""},
		{"bitrate control char", "--audio-bitrate", []string{"--audio-bitrate", "128k\x1b[31m", "--record", rec}, ""},
		{"region negative", "region", []string{"--region", "-5,-5,100,100", "--record", rec}, ""},
		{"region overflow", "region", []string{"--region", "0,0,99999999999999999999,10", "--record", rec}, ""},
		{"encoder unknown", "encoder", []string{"--encoder", "h264_\u202eevil", "--record", rec}, ""},
		{"record unwritable dir", "does not exist", []string{"--record", filepath.Join(roDir, "sub", "x.mkv")}, ""},
		{"record to a missing folder", "does not exist", []string{"--record", t.TempDir() + "/missing/"}, ""},
		{"record bad extension", "", []string{"--record", "out.avi"}, ""},
		{"record empty", "", []string{"--record", ""}, ""},
		{"record NUL", "", []string{"--record", "a\x00b.mkv"}, ""},
		{"rtmp huge url", "--rtmp", []string{"--rtmp", "rtmp://" + long + "/live/k"}, ""},
		{"rtmp control char in key", "--rtmp", []string{"--rtmp", "rtmp://127.0.0.1/live/ke\x07y"}, ""},
		{"rtmp unicode host", "--rtmp", []string{"--rtmp", "rtmp://\u202e.example/live/k"}, ""},
		{"rtmp port 99999", "--rtmp", []string{"--rtmp", "rtmp://127.0.0.1:99999/live/k"}, ""},
		{"rtmp key with spaces", "--rtmp", []string{"--rtmp", "rtmp://127.0.0.1/live", "--rtmp-key", "my secret key"}, ""},
		{"rtmps ca missing", "rtmps ca file", []string{"--rtmp", "rtmps://127.0.0.1:" + busyPort + "/live/k", "--ca", "/nonexistent/ca.pem"}, ""},
		{"rtmp ca without tls", "needs an rtmps:// URL", []string{"--rtmp", "rtmp://127.0.0.1:" + busyPort + "/live/k", "--ca", "/etc/hostname"}, ""},
		{"rtp port 0", "--rtp", []string{"--rtp", "127.0.0.1:0"}, ""},
		{"rtp port huge", "--rtp", []string{"--rtp", "127.0.0.1:4294967296"}, ""},
		{"rtp bad mtu", "--rtp", []string{"--rtp", "127.0.0.1:5004?mtu=99999999"}, ""},
		{"rtp unknown option", "--rtp", []string{"--rtp", "127.0.0.1:5004?mode=\x1b[2J"}, ""},
		{"rtp sdp unwritable", "sdp folder", []string{"--rtp", "127.0.0.1:5004?sdp=" + filepath.Join(roDir, "sub", "x.sdp")}, ""},
		{"duration negative", "--duration", []string{"--duration", "-5s", "--record", rec}, ""},
		{"profile traversal", "", []string{"--profile", "../../etc/passwd"}, ""},
		{"profile control char", "", []string{"--profile", "a\x1b]0;pwned\x07"}, ""},
		{"audio device control char", "", []string{"--audio", "mic\x1b[2J", "--source", "nope", "--record", rec}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			env := cli.Env{Stdout: &out, Stderr: &errb, ConfigDir: t.TempDir(), Keyring: &profile.MemoryKeyring{}}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			args := append([]string{"live", "--source", "test", "--audio", "test", "--duration", "2s", "--stats", "none"}, c.args...)
			var r reporter = t
			if c.known != "" {
				r = knownIssue{t, c.known}
				ctx, cancel = context.WithTimeout(ctx, 3*time.Second)
				defer cancel()
			}
			code := cli.Main(ctx, args, env)
			if code == cli.ExitOK {
				r.Errorf("golive live %q went live (exit 0): %s", trim(strings.Join(c.args, " ")), trim(errb.String()))
			}
			if code != cli.ExitOK && c.want != "" && !strings.Contains(errb.String(), c.want) {
				r.Errorf("error %q does not mention %q", trim(errb.String()), c.want)
			}
			checkCleanError(r, c.name, errb.String(), "my secret key")
			t.Logf("exit %d: %s", code, trim(strings.TrimSpace(errb.String())))
		})
	}
}

// reporter is what the hostile-input checks report to.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
	Logf(format string, args ...any)
}

// knownIssue reports failures as log lines only: for a problem this suite
// found in a package it may not change, reported to its owner. Remove the
// mark once it is fixed.
type knownIssue struct {
	*testing.T
	what string
}

func (k knownIssue) Errorf(format string, args ...any) {
	k.Helper()
	k.Logf("KNOWN ISSUE (%s): %s", k.what, fmt.Sprintf(format, args...))
}
