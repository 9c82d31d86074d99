package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"golive/media/testpeer"
)

// TestLiveSRTWHIPStatsJSON runs `golive live --srt URL --whip URL
// --whip-token -` against MediaMTX (token on standard input) and checks
// --stats json: outputs of kind "srt" and "whip", live, with their
// protocol details; no secret printed.
func TestLiveSRTWHIPStatsJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time encode")
	}
	const user, pass = "golive", "cli-pass-5678"
	m := testpeer.StartMediaMTX(t, testpeer.MediaMTXUser{User: user, Pass: pass, Actions: []string{"publish"}})
	env, stdout, stderr := testEnv()
	env.Stdin = strings.NewReader(user + ":" + pass + "\n")
	srtURL := fmt.Sprintf("srt://127.0.0.1:%d?streamid=publish:s:%s:%s", m.SRTPort, user, pass)
	code := Main(context.Background(), []string{"live", "--source", "test", "--audio", "test", "--size", "640x360",
		"--duration", "8s", "--stats", "json", "--srt", srtURL, "--whip", m.WHIPURL("w"), "--whip-token", "-"}, env)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	type stats struct {
		Outputs []struct {
			Kind, State string
			Detail      map[string]any
			FramesSent  uint64 `json:"frames_sent"`
		}
	}
	var last stats // the last line before the outputs stop
	sc := bufio.NewScanner(bytes.NewReader(stdout.Bytes()))
	for sc.Scan() {
		var s stats
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatalf("stats line %q: %v", sc.Text(), err)
		}
		if len(s.Outputs) > 0 && s.Outputs[0].State != "stopped" {
			last = s
		}
	}
	kinds := map[string]bool{}
	for _, o := range last.Outputs {
		kinds[o.Kind] = true
		if o.State != "live" || o.FramesSent < 100 {
			t.Errorf("%s: %s, %d frames sent", o.Kind, o.State, o.FramesSent)
		}
		want := []string{"rtt_ms", "retransmitted", "lost"}
		if o.Kind == "whip" {
			want = append(want, "estimate_kbps", "nacks", "plis")
		}
		for _, k := range want {
			if _, ok := o.Detail[k]; !ok {
				t.Errorf("%s detail lacks %s: %v", o.Kind, k, o.Detail)
			}
		}
	}
	if !kinds["srt"] || !kinds["whip"] {
		t.Fatalf("outputs %+v: want srt and whip", last.Outputs)
	}
	if strings.Contains(stdout.String()+stderr.String(), pass) {
		t.Error("a secret was printed")
	}
}
