package rtp

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pion/sdp/v3"

	"golive/media/testpeer"
	"golive/media/unit"
)

// gstReceiver is GStreamer decoding a native HEVC target's video:
// udpsrc (caps from the SDP) ! rtph265depay ! h265parse ! avdec_h265 !
// fakesink, with the audio and RTCP ports drained.
type gstReceiver struct {
	cmd  *exec.Cmd
	out  testpeer.LockedBuffer
	done chan error
}

// startGstH265 starts the pipeline with the caps GStreamer's SDP support
// would make of the target's m=video section (every fmtp parameter as a
// string field), and waits until its ports are bound.
func startGstH265(ctx context.Context, tg *Target, tracks unit.Tracks) (*gstReceiver, error) {
	text, err := tg.SDP(tracks)
	if err != nil {
		return nil, err
	}
	var d sdp.SessionDescription
	if err := d.UnmarshalString(text); err != nil {
		return nil, err
	}
	v := d.MediaDescriptions[0]
	rtpmap, _ := v.Attribute("rtpmap")
	fmtp, _ := v.Attribute("fmtp")
	pt, enc, _ := strings.Cut(rtpmap, " ")
	name, rate, _ := strings.Cut(enc, "/")
	caps := fmt.Sprintf("application/x-rtp,media=video,clock-rate=%s,encoding-name=%s,payload=%s", rate, name, pt)
	_, params, _ := strings.Cut(fmtp, " ")
	for p := range strings.SplitSeq(params, ";") {
		if k, val, ok := strings.Cut(strings.TrimSpace(p), "="); ok {
			caps += fmt.Sprintf(`,%s=(string)\"%s\"`, k, val) // base64 has '/' and '='

		}
	}
	port := tg.Port
	// gst-launch joins its arguments into one description: the caps are
	// one argument, quoted, with the inner quotes escaped.
	args := []string{"-e", "-v", "udpsrc", "address=127.0.0.1", fmt.Sprint("port=", port), `caps="` + caps + `"`,
		"!", "rtph265depay", "!", "h265parse", "!", "avdec_h265", "!", "fakesink", "silent=false", "sync=false"}
	for _, p := range []int{port + 1, port + 2, port + 3} {
		args = append(args, "udpsrc", "address=127.0.0.1", fmt.Sprint("port=", p), "!", "fakesink")
	}
	g := &gstReceiver{done: make(chan error, 1)}
	g.cmd = exec.CommandContext(ctx, "gst-launch-1.0", args...)
	// Decode and depacketization problems are logged at WARNING and
	// ERROR: they must not appear.
	g.cmd.Env = append(os.Environ(), "GST_DEBUG=libav:2,rtph265depay:2,h265parse:2,rtpbasedepayload:2", "GST_DEBUG_NO_COLOR=1")
	g.cmd.Stdout, g.cmd.Stderr = &g.out, &g.out
	if err := g.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { g.done <- g.cmd.Wait() }()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if testpeer.UDPPortBound(port) && testpeer.UDPPortBound(port+3) {
			return g, nil
		}
		if time.Now().After(deadline) {
			return g, fmt.Errorf("gst-launch not listening on %d: %s", port, g.out.String())
		}
	}
}

var (
	gstFrameLine = regexp.MustCompile(`last-message = chain .*\(fakesink0:sink\)`)
	gstRawCaps   = regexp.MustCompile(`fakesink0\.GstPad:sink: caps = video/x-raw.*width=\(int\)(\d+), height=\(int\)(\d+)`)
	gstProblem   = regexp.MustCompile(`(?m)^.*\b(WARN|ERROR)\b.*$`)
)

// check ends the pipeline (EOS on interrupt, so the decoder drains) and
// checks what it decoded: every frame sent (within 2), at 320x180, with no
// warning or error from the depayloader, parser or decoder.
func (g *gstReceiver) check(t *testing.T, sent int) {
	t.Helper()
	_ = g.cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-g.done:
		t.Logf("gst-launch ended: %v", err)
	case <-time.After(10 * time.Second):
		_ = g.cmd.Process.Kill()
		t.Errorf("gst-launch did not stop at the interrupt: %v", <-g.done)
	}
	out := g.out.String()
	frames := len(gstFrameLine.FindAllString(out, -1))
	size := gstRawCaps.FindStringSubmatch(out)
	t.Logf("gstreamer: %d frames decoded of %d sent, caps %v", frames, sent, size)
	if len(size) != 3 || size[1] != "320" || size[2] != "180" {
		t.Errorf("decoded caps %v, want 320x180:\n%s", size, tail(out, 3000))
	}
	if frames < sent-2 || frames > sent {
		t.Errorf("%d frames decoded, %d sent", frames, sent)
	}
	if p := gstProblem.FindAllString(out, 5); len(p) > 0 {
		t.Errorf("gstreamer warnings or errors:\n%s", strings.Join(p, "\n"))
	}
}

func tail(s string, n int) string { return s[max(0, len(s)-n):] }
