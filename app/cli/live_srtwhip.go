package cli

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"golive/app/profile"
	"golive/app/secret"
)

// srtWHIPLiveFlags are `golive live`'s SRT and WHIP destinations:
//
//	--srt URL                 repeatable; a passphrase may be in the URL
//	--whip URL[#TOKEN]        repeatable
//	--whip-token TOKEN|-      the token of the n-th --whip ("-": one line of
//	                          standard input per "-", in order)
type srtWHIPLiveFlags struct {
	srts, whips, whipTokens multiFlag
	// Set by destinations: a WHIP token (URL#TOKEN, --whip-token TOKEN)
	// or an SRT secret (passphrase, stream id password) sits in argv.
	tokenInArgv, passphraseInArgv bool
}

func (f *srtWHIPLiveFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.srts, "srt", "publish MPEG-TS over SRT to srt://HOST:PORT[?streamid=...&passphrase=...&latency=µs], repeatable")
	fs.Var(&f.whips, "whip", "publish over WebRTC to the WHIP endpoint URL[#TOKEN], repeatable")
	fs.Var(&f.whipTokens, "whip-token", "bearer token of the n-th --whip (- reads it from standard input), repeatable")
}

// destinations parses the flags; tokens given as "-" are read from stdin.
func (f *srtWHIPLiveFlags) destinations(stdin io.Reader) ([]profile.Destination, error) {
	if len(f.whipTokens) > len(f.whips) {
		return nil, usageErr("%d --whip-token for %d --whip: each token pairs with one URL, in order", len(f.whipTokens), len(f.whips))
	}
	var out []profile.Destination
	for _, raw := range f.srts {
		d, err := profile.ParseSRTFlag(raw)
		if err != nil {
			return nil, &UsageError{Err: err}
		}
		secret.Register(d.SRT.Secrets()...)
		if slices.ContainsFunc(d.SRT.Secrets(), func(s string) bool { return s != "" }) {
			f.passphraseInArgv = true
		}
		out = append(out, d)
	}
	var in *bufio.Reader
	for i, raw := range f.whips {
		tok := nth(f.whipTokens, i)
		fromStdin := tok == "-"
		if fromStdin {
			if stdin == nil {
				return nil, usageErr("--whip-token -: no standard input to read it from")
			}
			if in == nil {
				in = bufio.NewReader(stdin)
			}
			var err error
			if tok, err = readLine(in); err != nil {
				return nil, err
			}
		}
		d, err := profile.ParseWHIPFlag(raw, tok)
		if err != nil {
			return nil, &UsageError{Err: err}
		}
		secret.Register(d.WHIP.Key)
		if d.WHIP.Key != "" && !fromStdin {
			f.tokenInArgv = true
		}
		out = append(out, d)
	}
	return out, nil
}

// readLine reads one token line (at most 8 kB) from standard input.
func readLine(in *bufio.Reader) (string, error) {
	var b strings.Builder
	for b.Len() <= 8192 {
		c, err := in.ReadByte()
		if errors.Is(err, io.EOF) || (err == nil && c == '\n') {
			break
		}
		if err != nil {
			return "", fmt.Errorf("read --whip-token from standard input: %w", err)
		}
		b.WriteByte(c)
	}
	tok := strings.TrimSpace(b.String())
	if tok == "" {
		return "", usageErr("--whip-token -: standard input has no token line")
	}
	if b.Len() > 8192 {
		return "", usageErr("--whip-token -: line longer than 8 kB")
	}
	return tok, nil
}
