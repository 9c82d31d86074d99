// Package cli is GoLive's headless command line: `golive live`, `golive
// serve`, `golive devices`, `golive profile`, and `golive status` and
// `golive dest` that drive a running GoLive through its remote control.
// main calls Main; the window is started by main when no subcommand is
// given.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"golive/app/secret"
	"golive/media/capture"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
	// ExitPortalRefused: the desktop portal refused to share the screen.
	ExitPortalRefused = 3
	// ExitPortalCancelled: the user cancelled the portal's screen picker.
	ExitPortalCancelled = 4
)

// UsageError marks a bad flag or value: Main prints it on one line and
// exits with ExitUsage.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func usageErr(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

const usage = `GoLive: capture, encode once, stream everywhere.

Usage:
  golive                      open the window
  golive live [flags]         stream headless (golive live -h for flags)
  golive serve [flags]        headless, driven by obs-websocket 5 clients (golive serve -h)
  golive devices              list screens, microphones and encoders
  golive profile COMMAND      manage destination profiles (golive profile help)
  golive status [--json]      what the running GoLive (golive serve, or the window) is doing
  golive dest list|start NAME|stop NAME
                              list, start or stop a destination of the running GoLive (golive dest help)
  golive version
`

// Version is set at build time.
var Version = "0.1.0"

// Main runs a subcommand and returns the process exit code.
func Main(ctx context.Context, args []string, env Env) int {
	if env.Logger == nil {
		env.Logger = NewLogger(env.Stderr)
	}
	if env.ConfigDir == "" {
		env.ConfigDir = os.Getenv("GOLIVE_CONFIG_DIR")
	}
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, usage)
		return ExitUsage
	}
	var err error
	switch args[0] {
	case "live":
		err = RunLive(ctx, args[1:], env)
	case "serve":
		err = RunServe(ctx, args[1:], env)
	case "devices":
		err = RunDevices(ctx, args[1:], env)
	case "profile":
		err = RunProfile(ctx, args[1:], env)
	case "dest":
		err = RunDest(ctx, args[1:], env)
	case "status":
		err = RunStatus(ctx, args[1:], env)
	case "version", "--version":
		fmt.Fprintln(env.Stdout, "golive", Version)
	case "help", "-h", "--help":
		fmt.Fprint(env.Stdout, usage)
	default:
		err = usageErr("unknown command %q: want live, serve, devices, profile, status, dest or version", args[0])
	}
	return exitCode(err, env.Stderr)
}

func exitCode(err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	fmt.Fprintln(stderr, "golive: "+secret.Redact(strings.TrimSpace(err.Error())))
	var u *UsageError
	switch {
	case errors.As(err, &u):
		return ExitUsage
	case errors.Is(err, capture.ErrPortalRefused):
		return ExitPortalRefused
	case errors.Is(err, capture.ErrPortalCancelled):
		return ExitPortalCancelled
	}
	return ExitFailure
}

// DebugEnv turns on debug logging when set to anything.
const DebugEnv = "GOLIVE_DEBUG"

// NewLogger is the logger of the command line and the window: text to w,
// warnings and errors (everything with $GOLIVE_DEBUG set), every form of
// every registered secret hidden (secret.Handler).
func NewLogger(w io.Writer) *slog.Logger {
	level := slog.LevelWarn
	if os.Getenv(DebugEnv) != "" {
		level = slog.LevelDebug
	}
	return secret.NewLogger(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
