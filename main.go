// Command golive is a desktop broadcasting app: it captures the screen and
// the microphone, encodes them once and streams to every enabled
// destination. Without arguments it opens the window; `golive live`,
// `golive devices` and `golive profile` work headless.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/sirupsen/logrus"

	// Before Fyne reads the locale (see the package): no "Fyne error"
	// under LANG=C.UTF-8.
	"golive/app/startup"

	"golive/app/cli"
	"golive/app/ui"
)

func main() {
	os.Exit(run())
}

// Process-wide settings are made here, in package main, and nowhere else
// (ARCHITECTURE.md): the C constructor of process_linux.go (timer slack,
// malloc arena and thresholds) and the global loggers set in run.

func run() int {
	startup.Restore()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := cli.NewLogger(os.Stderr)
	slog.SetDefault(logger)
	// go-rtmp logs through logrus' standard logger (its chunk streamer and
	// CreateStream); GoLive reports what matters itself, with slog.
	logrus.SetOutput(io.Discard)
	env := cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Logger: logger,
		ConfigDir: os.Getenv("GOLIVE_CONFIG_DIR")}
	args := os.Args[1:]
	if len(args) >= 2 && (args[0] == "--config-dir" || args[0] == "-config-dir") {
		env.ConfigDir, args = args[1], args[2:]
	}
	metrics, args := windowMetrics(args)
	if len(args) == 0 {
		if err := ui.Run(ui.Options{ConfigDir: env.ConfigDir, Logger: logger, MetricsAddr: metrics}); err != nil {
			if errors.Is(err, ui.ErrNoDisplay) {
				fmt.Fprintln(os.Stderr, "golive:", err)
				return cli.ExitFailure
			}
			logger.Error("golive window", "err", err)
			return cli.ExitFailure
		}
		return cli.ExitOK
	}
	return cli.Main(ctx, args, env)
}

// windowMetrics takes `--metrics ADDR` (or --metrics=ADDR, one dash too)
// when it is all the arguments: the window with Prometheus metrics. Any
// other arguments are returned as they are, for the command line.
func windowMetrics(args []string) (addr string, rest []string) {
	switch {
	case len(args) == 2 && (args[0] == "--metrics" || args[0] == "-metrics"):
		return args[1], nil
	case len(args) == 1:
		for _, p := range []string{"--metrics=", "-metrics="} {
			if a, ok := strings.CutPrefix(args[0], p); ok {
				return a, nil
			}
		}
	}
	return "", args
}
