package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"golive/app/control"
)

const destUsage = `Usage: golive dest COMMAND [flags]

Drives the destinations of a running GoLive (golive serve, or the window with
Settings → Remote control on) through its remote control:
  list [--json]        every destination of the current profile and its state
  start NAME           start one destination (the stream starts if it is not running)
  stop NAME            stop one destination (the others go on)

Flags (after the command): --addr HOST:PORT (default 127.0.0.1:4455, or $GOLIVE_CONTROL_ADDR),
--password-file FILE (- reads it from standard input; default $GOLIVE_CONTROL_PASSWORD, else
the password golive serve stored on this machine), --timeout 5s, and for start/stop --wait 15s
(how long to wait for the destination to go live or stop; 0 does not wait).
`

// destInfo is one destination as `golive dest list` and `golive status`
// print it.
type destInfo struct {
	Name         string `json:"name"`
	Kind         string `json:"kind"`
	State        string `json:"state"`
	Enabled      bool   `json:"enabled"`
	Active       bool   `json:"active"`
	Reconnecting bool   `json:"reconnecting"`
	Bytes        uint64 `json:"bytes"`
	DurationMS   int64  `json:"duration_ms"`
	LastError    string `json:"last_error,omitempty"`
}

// RunDest is `golive dest list|start|stop`.
func RunDest(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(env.Stderr, destUsage)
		if len(args) == 0 {
			return usageErr("golive dest: want list, start NAME or stop NAME")
		}
		return nil
	}
	cmd := args[0]
	fs, f := newRemoteFlags("golive dest "+cmd, env, cmd == "list")
	wait := 15 * time.Second
	if cmd == "start" || cmd == "stop" {
		fs.DurationVar(&wait, "wait", wait, "how long to wait for the destination to go live or stop (0: do not wait)")
	} else if cmd != "list" {
		return usageErr("unknown dest command %q: want list, start NAME or stop NAME", cmd)
	}
	want := map[string]int{"list": 0, "start": 1, "stop": 1}[cmd]
	pos, err := parseArgs(fs, args[1:], want, want, map[string]string{"list": "[--json]", "start": "NAME", "stop": "NAME"}[cmd])
	if err != nil {
		return err
	}
	c, err := f.connect(ctx, env)
	if err != nil {
		return err
	}
	defer c.Close()
	if cmd == "list" {
		return printDests(ctx, c, env, f.asJSON)
	}
	return switchDest(ctx, c, env, pos[0], cmd == "start", wait)
}

// outputs lists the destinations with their status.
func outputs(ctx context.Context, c *control.Client) ([]destInfo, error) {
	data, err := c.Request(ctx, "GetOutputList", nil)
	if err != nil {
		return nil, err
	}
	var list struct {
		Outputs []struct {
			Name    string `json:"outputName"`
			Kind    string `json:"outputKind"`
			Enabled *bool  `json:"outputEnabled"`
		} `json:"outputs"`
	}
	if err := decodeData(data, &list); err != nil {
		return nil, err
	}
	out := make([]destInfo, 0, len(list.Outputs))
	for _, o := range list.Outputs {
		d, err := destStatus(ctx, c, o.Name)
		if err != nil {
			return nil, err
		}
		d.Kind, d.Enabled = printable(o.Kind), o.Enabled == nil || *o.Enabled
		out = append(out, d)
	}
	return out, nil
}

// destStatus asks for one destination's status (GetOutputStatus).
func destStatus(ctx context.Context, c *control.Client, name string) (destInfo, error) {
	data, err := c.Request(ctx, "GetOutputStatus", map[string]any{"outputName": name})
	if err != nil {
		return destInfo{}, err
	}
	var st struct {
		Active       bool   `json:"outputActive"`
		Reconnecting bool   `json:"outputReconnecting"`
		Duration     int64  `json:"outputDuration"`
		Bytes        uint64 `json:"outputBytes"`
		State        string `json:"outputState"`
		LastError    string `json:"outputLastError"`
	}
	if err := decodeData(data, &st); err != nil {
		return destInfo{}, err
	}
	d := destInfo{Name: printable(name), State: printable(st.State), Active: st.Active,
		Reconnecting: st.Reconnecting, Bytes: st.Bytes, DurationMS: st.Duration, LastError: printable(st.LastError)}
	if d.State == "" { // another obs-websocket server: only active or not
		d.State = map[bool]string{true: "active", false: "off"}[d.Active]
	}
	return d, nil
}

func printDests(ctx context.Context, c *control.Client, env Env, asJSON bool) error {
	ds, err := outputs(ctx, c)
	if err != nil {
		return err
	}
	if asJSON {
		b, err := json.MarshalIndent(ds, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(env.Stdout, "%s\n", b)
		return err
	}
	writeDests(env, ds)
	return nil
}

// writeDests prints a table of destinations.
func writeDests(env Env, ds []destInfo) {
	if len(ds) == 0 {
		fmt.Fprintln(env.Stdout, "(no destination in the current profile)")
		return
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tSTATE\tSENT\tFOR\t")
	for _, d := range ds {
		state := d.State
		if !d.Enabled {
			state += " (disabled)"
		}
		sent, since := "-", "-"
		if d.Active {
			sent, since = formatBytes(d.Bytes), (time.Duration(d.DurationMS) * time.Millisecond).Round(time.Second).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", d.Name, d.Kind, state, sent, since)
	}
	_ = tw.Flush()
	for _, d := range ds {
		if d.LastError != "" {
			fmt.Fprintf(env.Stdout, "%s: %s\n", d.Name, d.LastError)
		}
	}
}

// switchDest starts or stops one destination and waits for it to get
// there.
func switchDest(ctx context.Context, c *control.Client, env Env, name string, start bool, wait time.Duration) error {
	req := map[bool]string{true: "StartOutput", false: "StopOutput"}[start]
	_, err := c.Request(ctx, req, map[string]any{"outputName": name})
	var re *control.RequestError
	if errors.As(err, &re) {
		switch re.Code {
		case control.StatusResourceNotFound:
			return unknownDest(ctx, c, name)
		case control.StatusOutputRunning:
			fmt.Fprintf(env.Stdout, "%s: already started\n", name)
			return nil
		case control.StatusOutputNotRunning:
			fmt.Fprintf(env.Stdout, "%s: not running\n", name)
			return nil
		}
		return fmt.Errorf("destination %q: %s", name, printable(re.Comment))
	}
	if err != nil {
		return err
	}
	if wait <= 0 {
		fmt.Fprintf(env.Stdout, "%s: %s\n", name, map[bool]string{true: "starting", false: "stopping"}[start])
		return nil
	}
	return waitDest(ctx, c, env, name, start, wait)
}

// unknownDest words a destination name the running profile lacks.
func unknownDest(ctx context.Context, c *control.Client, name string) error {
	ds, err := outputs(ctx, c)
	if err != nil {
		return usageErr("no destination %q in the running GoLive's profile", name)
	}
	names := make([]string, 0, len(ds))
	for _, d := range ds {
		names = append(names, fmt.Sprintf("%q", d.Name))
	}
	if len(names) == 0 {
		return usageErr("no destination %q: the running GoLive's profile has none", name)
	}
	return usageErr("no destination %q in the running GoLive's profile (it has: %s)", name, strings.Join(names, ", "))
}

// waitDest polls the destination until it is live (or failed) after a
// start, or no longer active after a stop.
func waitDest(ctx context.Context, c *control.Client, env Env, name string, start bool, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for {
		d, err := destStatus(ctx, c, name)
		if err != nil {
			return err
		}
		switch {
		case start && d.State == "failed":
			return fmt.Errorf("destination %q failed: %s", name, d.LastError)
		case start && d.Active && (d.State == "live" || d.State == "active"):
			fmt.Fprintf(env.Stdout, "%s: %s\n", name, d.State)
			return nil
		case !start && !d.Active:
			fmt.Fprintf(env.Stdout, "%s: stopped\n", name)
			return nil
		}
		if time.Now().After(deadline) {
			msg := fmt.Sprintf("destination %q is still %s after %v", name, d.State, wait)
			if d.LastError != "" {
				msg += ": " + d.LastError
			}
			return errors.New(msg)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}
