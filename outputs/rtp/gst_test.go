package rtp

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golive/media/testpeer"
	"golive/outputs/rtptarget"
)

// TestGStreamerReceiverReports has GStreamer's rtpbin, a real RTCP
// receiver (ffmpeg 5.1 and VLC 3.0 send no Receiver Reports), receive a
// native target and report back. The reports must show up in the target's
// stats: no loss on loopback, a jitter figure and a round-trip time from
// LSR/DLSR.
func TestGStreamerReceiverReports(t *testing.T) {
	testpeer.RequireBinaries(t, "gst-launch-1.0")
	port := freePorts(t, 4)
	tg := &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: port, Mode: ModeNative, SDPPath: filepath.Join(t.TempDir(), "g.sdp")}}
	runTarget(t, tg)
	var st map[string]StreamStats
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if st = tg.Stats(); st["video"].LocalRTCPPort != 0 && st["audio"].LocalRTCPPort != 0 {
			break
		}
	}
	stream := func(i, port, rtcpBack int, caps string) string {
		return fmt.Sprintf(`udpsrc address=127.0.0.1 port=%d caps="%s" ! rb.recv_rtp_sink_%d `+
			`udpsrc address=127.0.0.1 port=%d ! rb.recv_rtcp_sink_%d `+
			`rb.send_rtcp_src_%d ! udpsink host=127.0.0.1 port=%d sync=false async=false `,
			port, caps, i, port+1, i, i, rtcpBack)
	}
	pipeline := "rtpbin name=rb " +
		stream(0, port, st["video"].LocalRTCPPort, "application/x-rtp,media=video,clock-rate=90000,encoding-name=H264,payload=96") +
		stream(1, port+2, st["audio"].LocalRTCPPort, "application/x-rtp,media=audio,clock-rate=48000,encoding-name=OPUS,payload=111") +
		"rb. ! fakesink rb. ! fakesink"
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, "gst-launch-1.0", append([]string{"-q"}, splitPipeline(pipeline)...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); _ = cmd.Wait() }()

	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		st = tg.Stats()
		if st["video"].RRReceived >= 2 && st["audio"].RRReceived >= 2 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, kind := range []string{"video", "audio"} {
		s := st[kind]
		t.Logf("%s: %+v", kind, s)
		if s.RRReceived < 2 {
			t.Errorf("%s: %d receiver reports from GStreamer: %s", kind, s.RRReceived, out.String())
			continue
		}
		// A receiver that joins mid-stream may count one packet more
		// than expected (-1): anything above zero is loss.
		if s.FractionLost != 0 || s.TotalLost > 0 {
			t.Errorf("%s: loss reported on loopback: %+v", kind, s)
		}
		if s.RTTMs < 0 || s.RTTMs > 1000 {
			t.Errorf("%s: round-trip time %.2f ms, want a measured one", kind, s.RTTMs)
		}
	}
	if d := tg.Detail(); d["receiver"] != ReceiverOK {
		t.Errorf("receiver %v", d["receiver"])
	}
}

// splitPipeline splits a gst-launch description into arguments, keeping
// quoted caps together (without the quotes, as a shell would).
func splitPipeline(p string) []string {
	var args []string
	var cur strings.Builder
	quoted := false
	for _, r := range p {
		switch {
		case r == '"':
			quoted = !quoted
		case r == ' ' && !quoted:
			if cur.Len() > 0 {
				args = append(args, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		args = append(args, cur.String())
	}
	return args
}
