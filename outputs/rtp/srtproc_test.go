package rtp

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/sdp/v3"

	"golive/media/stream"
	"golive/media/testpeer"
	"golive/media/unit"
	"golive/outputs/dest"
	"golive/outputs/rtptarget"
)

// lateJoinPackets is how many packets the sender has sent before the late
// receivers open the SDP (issue 16): more than 65536, so that the
// sequence number has wrapped at least once whatever it started from.
const lateJoinPackets = 70000

// TestSRTPLateReceiverAfterWrap: native SRTP at mtu=256 with large real
// H.264 frames (~8 000 packets/s); once more than 70 000 packets are
// out (ROC >= 1), GStreamer's srtpdec, set up only from what the SDP file
// says (key, SSRC and the a=x-srtp-roc rollover counter), decodes the
// stream from the next key frame without errors, while the same receiver
// given ROC 0, as SDES alone implies, gets nothing.
func TestSRTPLateReceiverAfterWrap(t *testing.T) {
	testpeer.RequireBinaries(t, "gst-launch-1.0", "gst-inspect-1.0", "ffmpeg", "ffprobe")
	for _, el := range []string{"srtpdec", "rtph264depay", "h264parse"} {
		if err := exec.Command("gst-inspect-1.0", "--exists", el).Run(); err != nil {
			t.Fatalf("GStreamer element %s missing (gstreamer1.0-plugins-bad/good): run `make deps`", el)
		}
	}
	dir := t.TempDir()
	frames, tracks := encodeTestH264(t, dir)
	port := freePorts(t, 2)
	tg := &Target{Config: rtptarget.Config{Host: "127.0.0.1", Port: port, Mode: ModeNative, MTU: MinMTU, SRTP: true,
		SDPPath: filepath.Join(dir, "late.sdp")}}
	s := stream.New(tracks)
	h := &dest.Handler{Name: "late", Kind: "rtp", Worker: tg, Stream: s, Reader: tg.ReaderConfig()}
	if err := h.Initialize(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	fed := make(chan struct{})
	var pace atomic.Int64 // wall time per frame
	pace.Store(int64(10 * time.Millisecond))
	go func() { defer close(fed); feedFrames(ctx, s, frames, &pace) }()
	defer func() { cancel(); <-fed; h.Close(); s.Close() }()

	start := time.Now()
	for tg.Stats()["video"].Packets < lateJoinPackets {
		if time.Since(start) > 30*time.Second {
			t.Fatalf("only %d packets in 30 s", tg.Stats()["video"].Packets)
		}
		time.Sleep(10 * time.Millisecond)
	}
	rate := float64(lateJoinPackets) / time.Since(start).Seconds()
	t.Logf("%d packets in %v (%.0f packets/s)", lateJoinPackets, time.Since(start).Round(time.Millisecond), rate)

	// The naive late joiner: everything from the SDP but ROC 0.
	naive := readLateSDP(t, tg.SDPPath)
	if naive.roc < 1 {
		t.Fatalf("a=x-srtp-roc:%d after %d packets, want >= 1", naive.roc, lateJoinPackets)
	}
	if d, ok := tg.Detail()["video"].(map[string]any); !ok || d["srtp_roc"] != tg.Stats()["video"].ROC {
		t.Errorf("stats detail lacks srtp_roc: %v", tg.Detail())
	}
	naive.roc = 0
	naiveOut := filepath.Join(dir, "naive.h264")
	naiveLog := runSRTPReceiver(t, naive, port, naiveOut, 3*time.Second)
	if fi, err := os.Stat(naiveOut); err != nil {
		t.Errorf("the receiver given ROC 0 made no file: %v: %s", err, naiveLog)
	} else if fi.Size() != 0 {
		t.Errorf("the receiver given ROC 0 wrote %d bytes, want nothing: %s", fi.Size(), naiveLog)
	}

	// The informed late joiner opens the SDP right after a wrap (the
	// counter it reads then holds for the next 65536 packets).
	before, waited := readLateSDP(t, tg.SDPPath).roc, time.Now()
	var joined lateSDP
	for joined = readLateSDP(t, tg.SDPPath); joined.roc == before; joined = readLateSDP(t, tg.SDPPath) {
		if time.Since(waited) > 30*time.Second {
			t.Fatalf("a=x-srtp-roc stayed %d", before)
		}
		time.Sleep(2 * time.Millisecond)
	}
	if fi, err := os.Stat(tg.SDPPath); err != nil {
		t.Error(err)
	} else if fi.Mode().Perm() != 0o600 {
		t.Errorf("rewritten SDP holding the key has mode %v, want 0600", fi.Mode())
	}
	// 50 frames/s from now on: a receive buffer of the default size
	// (rmem_default, ~200 packets) rides out a busy machine.
	pace.Store(int64(20 * time.Millisecond))
	out := filepath.Join(dir, "late.h264")
	log := runSRTPReceiver(t, joined, port, out, 4*time.Second)
	checkLateDecode(t, out, joined, log)
}

// checkLateDecode asserts the late receiver's recording decodes: frames
// of the encoded size, starting at a key frame, no decode error.
func checkLateDecode(t *testing.T, out string, joined lateSDP, log string) {
	t.Helper()
	a, err := testpeer.Analyze(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	n := a.Count("video")
	v := a.Stream("video")
	t.Logf("joined at ROC %d: %d frames decoded; receiver log: %s", joined.roc, n, log)
	if n < 60 {
		t.Fatalf("late receiver (ROC %d from the SDP) decoded %d frames, want >= 60: %s", joined.roc, n, log)
	}
	if v == nil || v.Width != 640 || v.Height != 360 {
		t.Errorf("decoded stream %+v, want 640x360 H.264", v)
	}
	if len(a.Errors) > 0 {
		t.Errorf("decode errors: %v", a.Errors)
	}
	if errs, err := testpeer.DecodeErrors(context.Background(), out, nil, nil); err != nil || len(errs) > 0 {
		t.Errorf("ffmpeg decode errors: %v %v", errs, err)
	}
}

// lateSDP is what a late SRTP receiver takes from GoLive's SDP file.
type lateSDP struct {
	key  []byte // master key || salt
	ssrc uint64
	roc  uint64
	pt   string
}

// readLateSDP parses the video section of the SDP file as a receiver
// would: the key from a=crypto inline:, the SSRC from a=ssrc, the
// rollover counter from a=x-srtp-roc.
func readLateSDP(t *testing.T, path string) lateSDP {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var d sdp.SessionDescription
	if err := d.Unmarshal(b); err != nil {
		t.Fatalf("sdp: %v\n%s", err, b)
	}
	var l lateSDP
	for _, m := range d.MediaDescriptions {
		if m.MediaName.Media != "video" {
			continue
		}
		l.pt = m.MediaName.Formats[0]
		for _, a := range m.Attributes {
			switch a.Key {
			case "crypto":
				_, inline, _ := strings.Cut(a.Value, "inline:")
				l.key, err = base64.StdEncoding.DecodeString(inline)
			case "ssrc":
				id, _, _ := strings.Cut(a.Value, " ")
				l.ssrc, err = strconv.ParseUint(id, 10, 32)
			case sdpROCAttr:
				l.roc, err = strconv.ParseUint(a.Value, 10, 32)
			}
			if err != nil {
				t.Fatalf("a=%s:%s: %v", a.Key, a.Value, err)
			}
		}
	}
	if len(l.key) != srtpKeyLen || l.ssrc == 0 {
		t.Fatalf("sdp lacks the key or the SSRC:\n%s", b)
	}
	return l
}

// runSRTPReceiver records the H.264 GStreamer's srtpdec decrypts from
// port for dur, set up with l, and returns its log.
func runSRTPReceiver(t *testing.T, l lateSDP, port int, out string, dur time.Duration) string {
	t.Helper()
	caps := fmt.Sprintf("application/x-srtp,media=video,clock-rate=90000,encoding-name=H264,payload=%s,"+
		"ssrc=(uint)%d,roc=(uint)%d,srtp-key=(buffer)%s,srtp-cipher=aes-128-icm,srtp-auth=hmac-sha1-80,"+
		"srtcp-cipher=aes-128-icm,srtcp-auth=hmac-sha1-80", l.pt, l.ssrc, l.roc, hex.EncodeToString(l.key))
	pipeline := fmt.Sprintf(`udpsrc address=127.0.0.1 port=%d buffer-size=4194304 caps="%s" ! srtpdec `+
		`! rtph264depay wait-for-keyframe=true ! h264parse ! video/x-h264,stream-format=byte-stream `+
		`! filesink location=%s`, port, caps, out)
	cmd := exec.Command("gst-launch-1.0", append([]string{"-e", "-q"}, splitPipeline(pipeline)...)...)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		t.Fatalf("gst-launch ended early: %v: %s", err, log.String())
	case <-time.After(dur):
	}
	_ = cmd.Process.Signal(os.Interrupt) // -e: end of stream, files flushed
	var err error
	select {
	case err = <-done:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		err = <-done
	}
	if err != nil {
		t.Logf("gst-launch after SIGINT: %v", err)
	}
	return strings.TrimSpace(log.String())
}

// encodeTestH264 encodes 60 frames of a 640x360 test pattern with large
// frames (~30 KB: ~150 packets each at mtu 256) and returns them as
// packets' NAL units, with the tracks carrying the SPS and PPS.
func encodeTestH264(t *testing.T, dir string) ([][][]byte, unit.Tracks) {
	t.Helper()
	file := filepath.Join(dir, "src.h264")
	cmd := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-f", "lavfi",
		"-i", "testsrc2=size=640x360:rate=30", "-frames:v", "60", "-c:v", "libx264", "-preset", "ultrafast",
		"-b:v", "8000k", "-minrate", "8000k", "-maxrate", "8000k", "-bufsize", "1000k", "-bf", "0", "-g", "30",
		"-bsf:v", "h264_metadata=aud=insert", "-f", "h264", file)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, b)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var frames [][][]byte
	var sps, pps []byte
	for _, n := range unit.SplitAnnexB(nil, data) {
		switch n[0] & 0x1f {
		case 9: // access unit delimiter: a new frame
			frames = append(frames, nil)
			continue
		case 7:
			sps = n
		case 8:
			pps = n
		}
		if len(frames) > 0 {
			frames[len(frames)-1] = append(frames[len(frames)-1], n)
		}
	}
	if len(frames) != 60 || sps == nil || pps == nil {
		t.Fatalf("encoded %d frames, sps %x pps %x", len(frames), sps, pps)
	}
	tracks := unit.Tracks{Video: &unit.VideoParams{Codec: unit.CodecH264, Width: 640, Height: 360, FPS: 30,
		SPS: sps, PPS: pps}}
	return frames, tracks
}

// feedFrames writes the frames over and over, 30 frames of stream time a
// second, one every pace of wall time, until ctx ends.
func feedFrames(ctx context.Context, s *stream.Stream, frames [][][]byte, pace *atomic.Int64) {
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Duration(pace.Load())):
		}
		nalus := frames[i%len(frames)]
		key := nalus[0][0]&0x1f == 7 || nalus[0][0]&0x1f == 5
		pts := time.Duration(i) * time.Second / 30
		s.Write(&unit.Packet{Codec: unit.CodecH264, PTS: pts, DTS: pts, Duration: time.Second / 30, Key: key,
			Data: unit.JoinAnnexB(nil, nalus), NALUs: nalus})
	}
}
