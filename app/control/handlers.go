package control

import (
	"encoding/json"
	"fmt"
	"runtime"
	"time"
)

// The request handlers, with obs-websocket's field names
// (docs/generated/protocol.md, sections General, Config, Outputs, Stream,
// Record).

func getVersion(c *conn, _ map[string]json.RawMessage) (map[string]any, error) {
	return map[string]any{
		"obsVersion":            c.s.Version,
		"obsWebSocketVersion":   OBSWebSocketVersion,
		"rpcVersion":            RPCVersion,
		"availableRequests":     requestTypes(),
		"supportedImageFormats": []string{},
		"platform":              "GoLive",
		"platformDescription":   fmt.Sprintf("GoLive %s on %s/%s", c.s.Version, runtime.GOOS, runtime.GOARCH),
	}, nil
}

func getStats(c *conn, _ map[string]json.RawMessage) (map[string]any, error) {
	e := c.s.Controller.Engine()
	cpu, rss := c.s.proc.sample()
	return map[string]any{
		"cpuUsage":                         cpu,
		"memoryUsage":                      float64(rss) / (1 << 20),
		"availableDiskSpace":               freeDiskMB("."),
		"activeFps":                        e.FPS,
		"averageFrameRenderTime":           0,
		"renderSkippedFrames":              e.Skipped,
		"renderTotalFrames":                e.Captured,
		"outputSkippedFrames":              e.Skipped,
		"outputTotalFrames":                e.Encoded,
		"webSocketSessionIncomingMessages": c.incoming.Load(),
		"webSocketSessionOutgoingMessages": c.outgoing.Load(),
	}, nil
}

// timecode formats a duration as OBS does: HH:MM:SS.mmm.
func timecode(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	ms := d.Milliseconds()
	return fmt.Sprintf("%02d:%02d:%02d.%03d", ms/3600000, ms/60000%60, ms/1000%60, ms%1000)
}

// outputStatus is GetStreamStatus's and GetOutputStatus's answer.
func outputStatus(o OutputState) map[string]any {
	return map[string]any{
		"outputActive":        o.Active,
		"outputReconnecting":  o.Reconnecting,
		"outputTimecode":      timecode(o.Duration),
		"outputDuration":      o.Duration.Milliseconds(),
		"outputCongestion":    o.Congestion,
		"outputBytes":         o.Bytes,
		"outputSkippedFrames": o.Skipped,
		"outputTotalFrames":   o.Total,
	}
}

func getStreamStatus(c *conn, _ map[string]json.RawMessage) (map[string]any, error) {
	return outputStatus(c.s.Controller.Stream()), nil
}

func startStream(c *conn, _ map[string]json.RawMessage) (map[string]any, error) {
	return nil, c.s.Controller.StartStream()
}

func stopStream(c *conn, _ map[string]json.RawMessage) (map[string]any, error) {
	return nil, c.s.Controller.StopStream()
}

func toggleStream(c *conn, _ map[string]json.RawMessage) (map[string]any, error) {
	ctl := c.s.Controller
	if ctl.Stream().Active {
		return map[string]any{"outputActive": false}, ctl.StopStream()
	}
	return map[string]any{"outputActive": true}, ctl.StartStream()
}

func getProfileList(c *conn, _ map[string]json.RawMessage) (map[string]any, error) {
	cur, names := c.s.Controller.Profiles()
	if names == nil {
		names = []string{}
	}
	return map[string]any{"currentProfileName": cur, "profiles": names}, nil
}

func setCurrentProfile(c *conn, data map[string]json.RawMessage) (map[string]any, error) {
	name, err := nameField(data, "profileName")
	if err != nil {
		return nil, err
	}
	return nil, c.s.Controller.SetCurrentProfile(name)
}

func getOutputList(c *conn, _ map[string]json.RawMessage) (map[string]any, error) {
	outs := c.s.Controller.Outputs()
	list := make([]map[string]any, 0, len(outs))
	for _, o := range outs {
		list = append(list, map[string]any{
			"outputName":   o.Name,
			"outputKind":   o.Kind,
			"outputWidth":  o.Width,
			"outputHeight": o.Height,
			"outputActive": o.Active,
			// GoLive's own: the destination's state and whether the
			// profile enables it (OBS clients ignore them).
			"outputState":   o.State,
			"outputEnabled": o.Enabled,
			"outputFlags": map[string]bool{
				"OBS_OUTPUT_AUDIO": true, "OBS_OUTPUT_VIDEO": true, "OBS_OUTPUT_ENCODED": true,
				"OBS_OUTPUT_MULTI_TRACK": false, "OBS_OUTPUT_SERVICE": o.Kind == "rtmp",
			},
		})
	}
	return map[string]any{"outputs": list}, nil
}

// findOutput returns the named output's state.
func findOutput(c *conn, data map[string]json.RawMessage) (OutputState, error) {
	name, err := nameField(data, "outputName")
	if err != nil {
		return OutputState{}, err
	}
	for _, o := range c.s.Controller.Outputs() {
		if o.Name == name {
			return o, nil
		}
	}
	return OutputState{}, fail(StatusResourceNotFound, "no output named %q in the current profile", name)
}

func getOutputStatus(c *conn, data map[string]json.RawMessage) (map[string]any, error) {
	o, err := findOutput(c, data)
	if err != nil {
		return nil, err
	}
	st := outputStatus(o)
	// GoLive's own fields: the destination's state and its last error
	// (redacted like every message).
	st["outputState"] = o.State
	if o.LastError != "" {
		st["outputLastError"] = o.LastError
	}
	return st, nil
}

func startOutput(c *conn, data map[string]json.RawMessage) (map[string]any, error) {
	o, err := findOutput(c, data)
	if err != nil {
		return nil, err
	}
	return nil, c.s.Controller.StartOutput(o.Name)
}

func stopOutput(c *conn, data map[string]json.RawMessage) (map[string]any, error) {
	o, err := findOutput(c, data)
	if err != nil {
		return nil, err
	}
	return nil, c.s.Controller.StopOutput(o.Name)
}

func toggleOutput(c *conn, data map[string]json.RawMessage) (map[string]any, error) {
	o, err := findOutput(c, data)
	if err != nil {
		return nil, err
	}
	if o.Active {
		return map[string]any{"outputActive": false}, c.s.Controller.StopOutput(o.Name)
	}
	return map[string]any{"outputActive": true}, c.s.Controller.StartOutput(o.Name)
}

func getRecordStatus(c *conn, _ map[string]json.RawMessage) (map[string]any, error) {
	r := c.s.Controller.Record()
	return map[string]any{
		"outputActive":   r.Active,
		"outputPaused":   false,
		"outputTimecode": timecode(r.Duration),
		"outputDuration": r.Duration.Milliseconds(),
		"outputBytes":    r.Bytes,
	}, nil
}

func startRecord(c *conn, _ map[string]json.RawMessage) (map[string]any, error) {
	return nil, c.s.Controller.StartRecord()
}

func stopRecord(c *conn, _ map[string]json.RawMessage) (map[string]any, error) {
	path, err := c.s.Controller.StopRecord()
	if err != nil {
		return nil, err
	}
	return map[string]any{"outputPath": path}, nil
}

func toggleRecord(c *conn, _ map[string]json.RawMessage) (map[string]any, error) {
	ctl := c.s.Controller
	if ctl.Record().Active {
		_, err := ctl.StopRecord()
		return map[string]any{"outputActive": false}, err
	}
	return map[string]any{"outputActive": true}, ctl.StartRecord()
}
