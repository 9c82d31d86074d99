package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"sync"

	"golive/app/control"
	"golive/app/profile"
)

// RunServe is `golive serve`: headless and idle, driven by obs-websocket 5
// clients (Stream Deck, Touch Portal, Streamer.bot, scripts) until SIGINT
// or SIGTERM, with optional Prometheus metrics.
func RunServe(ctx context.Context, args []string, env Env) error {
	prof, listen, pwFile, metrics, err := parseServeFlags(args, env)
	if err != nil {
		return err
	}
	st := &profile.Store{Dir: env.ConfigDir, Keyring: env.Keyring, Logger: env.Logger}
	if err := st.Open(); err != nil {
		return fmt.Errorf("opening profiles: %w", err)
	}
	defer st.Close()
	for _, n := range st.Notices() {
		fmt.Fprintln(env.Stderr, "golive: "+n)
	}
	if prof != "" {
		if _, err := st.Get(prof); err != nil {
			return &UsageError{Err: err}
		}
	}
	password, where, err := servePassword(ctx, pwFile, st.Dir, env)
	if err != nil {
		return err
	}
	d := &control.Director{Store: st, Profile: prof, Logger: env.Logger}
	if err := d.Initialize(); err != nil {
		return err
	}
	defer d.Close()
	srv := &control.Server{Addr: listen, Password: password, Controller: d, Version: Version, Logger: env.Logger}
	if err := srv.Initialize(); err != nil {
		return err
	}
	var ms *control.MetricsServer
	if metrics != "" {
		ms = &control.MetricsServer{Addr: metrics, Source: d.Stats, Logger: env.Logger}
		if err := ms.Initialize(); err != nil {
			return err
		}
	}
	cur, _ := d.Profiles()
	fmt.Fprintf(env.Stderr, "golive serve: remote control (obs-websocket 5) on ws://%s, profile %q, password %s; idle until a client starts the stream\n",
		srv.ListenAddr(), cur, where)
	if ms != nil {
		fmt.Fprintf(env.Stderr, "golive serve: metrics on http://%s/metrics\n", ms.ListenAddr())
	}
	return runServers(ctx, srv, ms)
}

// parseServeFlags parses and checks the flags of `golive serve`.
func parseServeFlags(args []string, env Env) (prof, listen, pwFile, metrics string, err error) {
	fs := flag.NewFlagSet("golive serve", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.StringVar(&prof, "profile", "", "profile to stream (default: the last used)")
	fs.StringVar(&listen, "listen", control.DefaultAddr, "remote control address HOST:PORT")
	fs.StringVar(&pwFile, "password-file", "", "read the password from the first line of FILE (default: a generated one, kept like a stream key)")
	fs.StringVar(&metrics, "metrics", "", "serve Prometheus metrics on HOST:PORT/metrics")
	if err = fs.Parse(args); err != nil {
		return "", "", "", "", &UsageError{Err: err}
	}
	if fs.NArg() > 0 {
		return "", "", "", "", usageErr("unexpected argument %q", fs.Arg(0))
	}
	if err = checkAddr(env, "--listen", listen); err == nil && metrics != "" {
		err = checkAddr(env, "--metrics", metrics)
	}
	return prof, listen, pwFile, metrics, err
}

// runServers runs the remote control (and the metrics) until ctx ends.
func runServers(ctx context.Context, srv *control.Server, ms *control.MetricsServer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	wg.Add(1)
	go func() {
		defer wg.Done()
		errs[0] = srv.Run(ctx)
		cancel()
	}()
	if ms != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[1] = ms.Run(ctx)
			cancel()
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// servePassword reads --password-file, or the stored (first time:
// generated) password. where tells the user where it is.
func servePassword(ctx context.Context, file, dir string, env Env) (password, where string, err error) {
	if file != "" {
		pw, err := control.ReadPasswordFile(file)
		if err != nil {
			return "", "", &UsageError{Err: fmt.Errorf("--password-file: %w", err)}
		}
		return pw, "from " + file, nil
	}
	kr, err := openKeyring(ctx, env)
	if err != nil {
		return "", "", fmt.Errorf("remote-control password: %w (unlock the keychain, or give --password-file)", err)
	}
	pw, at, err := control.StoredPassword(dir, kr)
	if err != nil {
		return "", "", fmt.Errorf("remote-control password: %w", err)
	}
	if at == "the OS keychain" {
		return pw, fmt.Sprintf("in the OS keychain (service %q, entry %q)", profile.KeyringService, control.PasswordKeyringUser), nil
	}
	return pw, "in " + at + " (mode 0600)", nil
}

// checkAddr checks a HOST:PORT flag and warns when it reaches beyond this
// machine.
func checkAddr(env Env, flagName, addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return usageErr("%s %q: want HOST:PORT, such as 127.0.0.1:4455", flagName, addr)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		fmt.Fprintf(env.Stderr, "golive: warning: %s %s is reachable from other machines: anyone there can try it\n", flagName, addr)
	}
	return nil
}

// startMetrics serves the metrics of src on addr until stop is called
// ("" = no metrics: stop does nothing).
func startMetrics(addr string, src control.StatsSource, env Env) (stop func(), err error) {
	if addr == "" {
		return func() {}, nil
	}
	ms := &control.MetricsServer{Addr: addr, Source: src, Logger: env.Logger}
	if err := ms.Initialize(); err != nil {
		return nil, err
	}
	fmt.Fprintf(env.Stderr, "golive: metrics on http://%s/metrics\n", ms.ListenAddr())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := ms.Run(ctx); err != nil {
			env.Logger.Warn("metrics server stopped", "err", err)
		}
	}()
	return func() { cancel(); <-done }, nil
}
