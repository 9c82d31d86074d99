package encode

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestEncoderOptionsKnownToFFmpeg checks the options GoLive gives each
// encoder it drives against what this FFmpeg build documents for it
// (`ffmpeg -h encoder=NAME` and the generic codec options), so that a
// hardware encoder that cannot be opened on this machine (no GPU) still
// gets only option names, and named values, its FFmpeg knows: an unknown
// option makes openCodec fail on the streamer's machine.
func TestEncoderOptionsKnownToFFmpeg(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg not installed")
	}
	generic := optionNames(t, "-h", "full")
	for _, e := range ListEncoders() {
		if e.Unsupported != "" || !isVideo(e.Codec) {
			continue
		}
		t.Run(e.Name, func(t *testing.T) {
			help := ffmpegHelp(t, "-h", "encoder="+e.Name)
			own := optionNamesIn(help)
			for _, preset := range []string{"ultrafast", "veryfast", "medium", "placebo"} {
				v := &Video{Encoder: e.Name, Preset: preset, Bitrate: 2_500_000, FPS: 30, gop: 60}
				for k, val := range v.options() {
					if !own[k] && !generic[k] {
						t.Errorf("preset %s: option %s=%s: %s has no such option", preset, k, val, e.Name)
						continue
					}
					if consts := namedValues(help, k); own[k] && len(consts) > 0 && !isNumber(val) && !consts[val] {
						t.Errorf("preset %s: option %s=%s: %s knows only %v", preset, k, val, e.Name, keys(consts))
					}
				}
			}
		})
	}
}

func isVideo(c interface{ String() string }) bool {
	s := c.String()
	return s == "h264" || s == "hevc" || s == "av1"
}

func ffmpegHelp(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("ffmpeg", append([]string{"-hide_banner"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg %v: %v", args, err)
	}
	return string(out)
}

var optionLine = regexp.MustCompile(`(?m)^\s{1,3}-([A-Za-z0-9_-]+)\s+<`)

func optionNames(t *testing.T, args ...string) map[string]bool {
	return optionNamesIn(ffmpegHelp(t, args...))
}

func optionNamesIn(help string) map[string]bool {
	names := map[string]bool{}
	for _, m := range optionLine.FindAllStringSubmatch(help, -1) {
		names[m[1]] = true
	}
	return names
}

// namedValues returns the named constants listed under option k.
func namedValues(help, k string) map[string]bool {
	consts := map[string]bool{}
	lines := strings.Split(help, "\n")
	for i, l := range lines {
		if m := optionLine.FindStringSubmatch(l); m == nil || m[1] != k {
			continue
		}
		for _, c := range lines[i+1:] {
			f := strings.Fields(c)
			if len(f) < 2 || strings.HasPrefix(f[0], "-") || !strings.HasPrefix(c, "     ") {
				break
			}
			consts[f[0]] = true
		}
		break
	}
	return consts
}

func isNumber(s string) bool {
	return s != "" && strings.Trim(s, "0123456789-") == ""
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
