package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode"

	"golive/app/control"
	"golive/app/profile"
	"golive/app/secret"
)

// Environment of the commands that talk to a running GoLive (`golive
// dest`, `golive status`).
const (
	// ControlAddrEnv is the remote control's HOST:PORT (default
	// control.DefaultAddr), like --addr.
	ControlAddrEnv = "GOLIVE_CONTROL_ADDR"
	// ControlPasswordEnv is its password, when not --password-file.
	ControlPasswordEnv = "GOLIVE_CONTROL_PASSWORD"
)

// remoteFlags are the flags of the commands that talk to a running GoLive
// through its remote control.
type remoteFlags struct {
	addr    string
	pwFile  string
	timeout time.Duration
	asJSON  bool
}

func newRemoteFlags(name string, env Env, withJSON bool) (*flag.FlagSet, *remoteFlags) {
	f := &remoteFlags{}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	addr := os.Getenv(ControlAddrEnv)
	if addr == "" {
		addr = control.DefaultAddr
	}
	fs.StringVar(&f.addr, "addr", addr, "remote control of the running GoLive, HOST:PORT (or $"+ControlAddrEnv+")")
	fs.StringVar(&f.pwFile, "password-file", "", "read the password from the first line of FILE (- = standard input; "+
		"default: $"+ControlPasswordEnv+", else the password `golive serve` stored here)")
	fs.DurationVar(&f.timeout, "timeout", 5*time.Second, "how long to wait for each answer")
	if withJSON {
		fs.BoolVar(&f.asJSON, "json", false, "print JSON")
	}
	return fs, f
}

// password finds the remote-control password and says where it came
// from: --password-file, the environment, or the one stored on this
// machine (never generated here).
func (f *remoteFlags) password(ctx context.Context, env Env) (pw, where string, err error) {
	switch {
	case f.pwFile == "-":
		if env.Stdin == nil {
			return "", "", usageErr("--password-file -: no standard input to read it from")
		}
		line, err := bufio.NewReader(io.LimitReader(env.Stdin, 4<<10)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", "", fmt.Errorf("read the password from standard input: %w", err)
		}
		pw = strings.TrimRight(line, "\r\n")
		if pw == "" {
			return "", "", usageErr("--password-file -: standard input is empty")
		}
		secret.Register(pw)
		return pw, "standard input", nil
	case f.pwFile != "":
		pw, err := control.ReadPasswordFile(f.pwFile)
		if err != nil {
			return "", "", &UsageError{Err: fmt.Errorf("--password-file: %w", err)}
		}
		return pw, f.pwFile, nil
	case os.Getenv(ControlPasswordEnv) != "":
		pw = os.Getenv(ControlPasswordEnv)
		secret.Register(pw)
		return pw, "$" + ControlPasswordEnv, nil
	}
	kr, err := openKeyring(ctx, env)
	if err != nil {
		return "", "", fmt.Errorf("remote-control password: %w (or give --password-file)", err)
	}
	pw, where, err = control.LoadPassword(env.ConfigDir, kr)
	if errors.Is(err, control.ErrNoStoredPassword) {
		return "", "", fmt.Errorf("%w (`golive serve` stores one when it first starts): give the password "+
			"of the running GoLive with --password-file FILE or $%s", err, ControlPasswordEnv)
	}
	return pw, where, err
}

// openKeyring is env's keyring, else the OS keychain (NoKeyring where
// there is none).
func openKeyring(ctx context.Context, env Env) (profile.Keyring, error) {
	if env.Keyring != nil {
		return env.Keyring, nil
	}
	k, err := profile.OpenSystemKeyring(profile.SystemOptions{Context: ctx,
		OnWait: func(note string) { fmt.Fprintln(env.Stderr, "golive: "+note) }})
	switch {
	case err == nil:
		return k, nil
	case errors.Is(err, profile.ErrNoKeychain):
		return profile.NoKeyring{Reason: err.Error()}, nil
	}
	return nil, err
}

// connect identifies with the running GoLive's remote control.
func (f *remoteFlags) connect(ctx context.Context, env Env) (*control.Client, error) {
	if err := checkAddr(env, "--addr", f.addr); err != nil {
		return nil, err
	}
	pw, where, err := f.password(ctx, env)
	if err != nil {
		return nil, err
	}
	c := &control.Client{Addr: f.addr, Password: pw, Timeout: f.timeout}
	err = c.Initialize(ctx)
	switch {
	case errors.Is(err, control.ErrNotRunning):
		return nil, fmt.Errorf("no GoLive is running with its remote control on %s: start `golive serve` "+
			"(or turn on Settings → Remote control in the window), or give its address with --addr", f.addr)
	case errors.Is(err, control.ErrAuthFailed):
		return nil, fmt.Errorf("the GoLive on %s refused the password (from %s): give the one it uses "+
			"with --password-file FILE or $%s", f.addr, where, ControlPasswordEnv)
	case errors.Is(err, control.ErrNotRemoteControl):
		return nil, fmt.Errorf("%w: is --addr %s GoLive's remote control?", err, f.addr)
	case err != nil:
		return nil, err
	}
	return c, nil
}

// decodeData reads a response's fields into v (obs-websocket's names in
// its json tags).
func decodeData(data map[string]json.RawMessage, v any) error {
	b, err := json.Marshal(data)
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		return fmt.Errorf("an answer of the remote control does not read: %w", err)
	}
	return nil
}

// printable makes text from the server safe to print: no control
// characters (terminal escapes), bounded.
func printable(s string) string {
	const maxLen = 300
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '?'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > maxLen {
		s = string(r[:maxLen]) + "…"
	}
	return s
}

// formatBytes prints a byte count for people (1.5 MB).
func formatBytes(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
