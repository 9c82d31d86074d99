package whip

import (
	"fmt"
	"os/exec"
	"testing"
	"time"

	"go.uber.org/goleak"

	"golive/media/testpeer"
	"golive/media/unit"
	"golive/outputs/dest"
	"golive/outputs/dest/desttest"
	"golive/outputs/internal/peertest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// Credentials of the MediaMTX publisher; MediaMTX reads "user:pass" from
// the bearer token.
const (
	pubUser  = "golive"
	pubPass  = "s3cret-publish"
	pubToken = pubUser + ":" + pubPass
)

// startMediaMTX runs MediaMTX where only pubToken may publish and anyone
// may read.
func startMediaMTX(t *testing.T) *testpeer.MediaMTX {
	return testpeer.StartMediaMTX(t,
		testpeer.MediaMTXUser{User: pubUser, Pass: pubPass, Actions: []string{"publish"}},
		testpeer.MediaMTXUser{User: "any", Actions: []string{"read"}})
}

func newEngine(t *testing.T, keyframeInterval time.Duration) *peertest.Engine {
	return peertest.NewEngine(t, keyframeInterval, unit.CodecOpus)
}

func handler(t *testing.T, e *peertest.Engine, name string, p *Publisher) *dest.Handler {
	return e.Handler(t, name, "whip", p, ReaderConfig(name))
}

var waitState = desttest.WaitState

// readRTSP records an RTSP URL (stream copy, Matroska) for d; with
// inputArgs such as "-allowed_media_types", "video" before the input.
func readRTSP(t *testing.T, url, out string, d time.Duration, inputArgs ...string) {
	t.Helper()
	args := append([]string{"-hide_banner", "-nostdin", "-v", "error", "-y", "-rtsp_transport", "tcp"}, inputArgs...)
	args = append(args, "-i", url, "-map", "0", "-c", "copy", "-t", fmt.Sprint(d.Seconds()), out)
	cmd := exec.Command("ffmpeg", args...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg reading %s: %v: %s", url, err, b)
	}
}
