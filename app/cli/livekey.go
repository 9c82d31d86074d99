package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"golive/app/profile"
	"golive/app/secret"
)

// maxKeyLine bounds a key read from standard input.
const maxKeyLine = 4096

// keyReader hands out the lines of standard input, one per
// `--rtmp-key -`, in order. It reads byte by byte, never ahead, so that
// the lines after its own stay for `--whip-token -`.
type keyReader struct {
	r io.Reader
	n int
}

// next returns the next line, trimmed, registered for masking.
func (k *keyReader) next() (string, error) {
	k.n++
	if k.r == nil {
		return "", usageErr("--rtmp-key -: no standard input to read the key from")
	}
	var line []byte
	var c [1]byte
	for {
		n, err := k.r.Read(c[:])
		if n == 1 && c[0] == '\n' {
			break
		}
		if n == 1 {
			if len(line) >= maxKeyLine {
				return "", usageErr("--rtmp-key -: line %d of standard input is longer than %d bytes", k.n, maxKeyLine)
			}
			line = append(line, c[0])
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("--rtmp-key -: read standard input: %w", err)
		}
	}
	key := strings.TrimSpace(string(line))
	if key == "" {
		return "", usageErr("--rtmp-key -: no key on line %d of standard input (give one key per line)", k.n)
	}
	secret.Register(key)
	return key, nil
}

// readKeys reads the key of each `--rtmp-key -` from standard input (in
// place, one line per "-"), registers every key given for masking before
// anything parses or prints it, and notes in keyInArgv whether a key
// sits in argv (URL#KEY, --rtmp-key KEY, a key in the URL's path), where
// other users see it (argvWarning).
func (f *liveFlags) readKeys(env Env) error {
	stdin := &keyReader{r: env.Stdin}
	inArgv := false
	for i, raw := range f.rtmps {
		key := nth(f.rtmpKeys, i)
		if key == "-" {
			k, err := stdin.next()
			if err != nil {
				return err
			}
			f.rtmpKeys[i] = k
			registerFlagKeys(raw, "")
			continue
		}
		registerFlagKeys(raw, key)
		if d, err := profile.ParseRTMPFlag(raw, key); err == nil && d.RTMP.Key != "" {
			secret.Register(d.RTMP.Key)
			inArgv = true
		}
	}
	f.keyInArgv = inArgv
	return nil
}

// argvWarning is the one warning line printed when secrets sit in argv,
// where other users of the machine read them (ps, /proc): RTMP stream
// keys, WHIP tokens (URL#TOKEN, --whip-token TOKEN) and SRT passphrases
// or stream id passwords (in the --srt URL). It names what was seen and
// how to give each instead; "" when nothing was.
func argvWarning(rtmpKey, whipToken, srtSecret bool) string {
	var what, flags []string
	if rtmpKey {
		what, flags = append(what, "a stream key"), append(flags, "--rtmp-key -")
	}
	if whipToken {
		what, flags = append(what, "a WHIP token"), append(flags, "--whip-token -")
	}
	if srtSecret {
		what = append(what, "an SRT passphrase")
	}
	if len(what) == 0 {
		return ""
	}
	it := "it"
	if len(what) > 1 {
		it = "them"
	}
	hint := "save " + it + " in a profile"
	if srtSecret {
		hint += " (golive profile add-dest NAME --srt URL --key -)"
	}
	if len(flags) > 0 {
		hint = "give " + it + " with " + strings.Join(flags, " or ") + " (read from standard input) or " + hint
	}
	return "golive: warning: " + strings.Join(what, ", ") + " on the command line can be read by other users " +
		"of this machine (ps, /proc); " + hint
}

// registerFlagKeys registers what may be a key in an --rtmp value (after
// '#') and in --rtmp-key before anything parses or prints them.
func registerFlagKeys(raw, key string) {
	secret.Register(key)
	if _, frag, ok := strings.Cut(raw, "#"); ok {
		secret.Register(strings.TrimSpace(frag))
	}
}
