package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"golive/app/control"
)

// statusReport is what `golive status` prints (--json: this object).
type statusReport struct {
	Addr     string `json:"addr"`
	Platform string `json:"platform"`
	Version  string `json:"version"`
	Profile  string `json:"profile"`
	// Live is true while any streaming destination runs; Recording
	// while a recording does.
	Live         bool       `json:"live"`
	Reconnecting bool       `json:"reconnecting"`
	Recording    bool       `json:"recording"`
	DurationMS   int64      `json:"duration_ms"`
	Bytes        uint64     `json:"bytes"`
	FPS          float64    `json:"fps"`
	CPU          float64    `json:"cpu_percent"`
	Encoded      uint64     `json:"frames_encoded"`
	Skipped      uint64     `json:"frames_skipped"`
	Destinations []destInfo `json:"destinations"`
}

// RunStatus is `golive status`: what the running GoLive is doing.
func RunStatus(ctx context.Context, args []string, env Env) error {
	fs, f := newRemoteFlags("golive status", env, true)
	if _, err := parseArgs(fs, args, 0, 0, "[--json] [--addr HOST:PORT] [--password-file FILE]"); err != nil {
		return err
	}
	c, err := f.connect(ctx, env)
	if err != nil {
		return err
	}
	defer c.Close()
	r, err := readStatus(ctx, c)
	if err != nil {
		return err
	}
	r.Addr = f.addr
	if f.asJSON {
		b, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(env.Stdout, "%s\n", b)
		return err
	}
	writeStatus(env, r)
	return nil
}

// readStatus asks the remote control for everything status prints.
func readStatus(ctx context.Context, c *control.Client) (statusReport, error) {
	var r statusReport
	var version struct {
		Platform string `json:"platform"`
		Version  string `json:"obsVersion"`
	}
	var prof struct {
		Current string `json:"currentProfileName"`
	}
	var stream, record struct {
		Active       bool   `json:"outputActive"`
		Reconnecting bool   `json:"outputReconnecting"`
		Duration     int64  `json:"outputDuration"`
		Bytes        uint64 `json:"outputBytes"`
	}
	var stats struct {
		FPS     float64 `json:"activeFps"`
		CPU     float64 `json:"cpuUsage"`
		Encoded uint64  `json:"outputTotalFrames"`
		Skipped uint64  `json:"outputSkippedFrames"`
	}
	for _, q := range []struct {
		req string
		v   any
	}{{"GetVersion", &version}, {"GetProfileList", &prof}, {"GetStreamStatus", &stream},
		{"GetRecordStatus", &record}, {"GetStats", &stats}} {
		data, err := c.Request(ctx, q.req, nil)
		if err == nil {
			err = decodeData(data, q.v)
		}
		if err != nil {
			return r, err
		}
	}
	ds, err := outputs(ctx, c)
	if err != nil {
		return r, err
	}
	r = statusReport{Platform: printable(version.Platform), Version: printable(version.Version),
		Profile: printable(prof.Current), Live: stream.Active, Reconnecting: stream.Reconnecting,
		Recording: record.Active, DurationMS: max(stream.Duration, record.Duration), Bytes: stream.Bytes + record.Bytes,
		FPS: stats.FPS, CPU: stats.CPU, Encoded: stats.Encoded, Skipped: stats.Skipped, Destinations: ds}
	return r, nil
}

func writeStatus(env Env, r statusReport) {
	what := "idle"
	switch {
	case r.Live && r.Reconnecting:
		what = "live (a destination is reconnecting)"
	case r.Live && r.Recording:
		what = "live and recording"
	case r.Live:
		what = "live"
	case r.Recording:
		what = "recording"
	}
	fmt.Fprintf(env.Stdout, "%s %s on %s: profile %q, %s", r.Platform, r.Version, r.Addr, r.Profile, what)
	if r.Live || r.Recording {
		fmt.Fprintf(env.Stdout, " for %v, %s sent, %.0f fps, %d frames encoded (%d skipped), CPU %.0f%%",
			(time.Duration(r.DurationMS) * time.Millisecond).Round(time.Second), formatBytes(r.Bytes),
			r.FPS, r.Encoded, r.Skipped, r.CPU)
	}
	fmt.Fprintln(env.Stdout)
	writeDests(env, r.Destinations)
}
