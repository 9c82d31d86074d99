package benchmark

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"golive/media/testpattern"
)

// Case is one benchmark configuration, run by both programs.
type Case struct {
	// Name identifies the case on the command line and in the report.
	Name string
	// Screen captures the X display (x11grab) instead of lavfi testsrc2.
	Screen bool
	// Width, Height and FPS of the encoded video.
	Width, Height, FPS int
	// VideoKbps is the CBR video bit rate.
	VideoKbps int
	// RTMP is the number of RTMP destinations (plus one RTP target).
	RTMP int
	// Pairs overrides the harness's number of pairs (a stress case).
	Pairs int
	// Second is a second rendition (issue 18): more destinations get it,
	// and there is no RTP target. GoLive runs from a profile, ffmpeg with
	// split=2 into two libx264 encoders and one tee.
	Second *SecondRendition
	// PlusOneOf names a case this one equals but for one more
	// destination: the harness then runs GoLive alone, that case and this
	// one alternating, and reports the CPU the extra destination costs.
	PlusOneOf string
}

// SecondRendition is the size and bit rate of a case's second encode (at
// the case's frame rate).
type SecondRendition struct {
	Width, Height, VideoKbps int
	// RTMP is the number of destinations on it (0: as many as on the
	// main rendition).
	RTMP int
}

// AudioKbps is the AAC bit rate of every case.
const AudioKbps = 128

// Matrix is the full case matrix of issue 8.
func Matrix() []Case {
	var cs []Case
	for _, n := range []int{1, 3, 8} {
		cs = append(cs, Case{Name: fmt.Sprintf("720p30-n%d", n), Width: 1280, Height: 720, FPS: 30, VideoKbps: 2500, RTMP: n})
	}
	for _, n := range []int{1, 3, 8} {
		cs = append(cs, Case{Name: fmt.Sprintf("1080p30-n%d", n), Width: 1920, Height: 1080, FPS: 30, VideoKbps: 4500, RTMP: n})
	}
	for _, n := range []int{1, 3} {
		cs = append(cs, Case{Name: fmt.Sprintf("screen720p30-n%d", n), Screen: true, Width: 1280, Height: 720, FPS: 30, VideoKbps: 2500, RTMP: n})
	}
	// The fan-out stress: 16 RTMP destinations at 6 Mbit/s, zero drops.
	cs = append(cs, Case{Name: "720p30-n16-6M", Width: 1280, Height: 720, FPS: 30, VideoKbps: 6000, RTMP: 16, Pairs: 1})
	// Two renditions, two RTMP destinations each; then a third
	// destination on the main rendition (GoLive against itself).
	cs = append(cs, Case{Name: TwoRenditions, Width: 1280, Height: 720, FPS: 30, VideoKbps: 2500, RTMP: 2,
		Second: &SecondRendition{Width: 854, Height: 480, VideoKbps: 1000}})
	cs = append(cs, Case{Name: "720p30+480p30-n3+2", Width: 1280, Height: 720, FPS: 30, VideoKbps: 2500, RTMP: 3,
		Second: &SecondRendition{Width: 854, Height: 480, VideoKbps: 1000, RTMP: 2}, PlusOneOf: TwoRenditions})
	return cs
}

// TwoRenditions is the name of the two-rendition case of issue 18.
const TwoRenditions = "720p30+480p30-n2x2"

// SelectCases returns the cases of m named in the comma-separated list
// (all of them when list is empty or "all").
func SelectCases(m []Case, list string) ([]Case, error) {
	if list == "" || list == "all" {
		return m, nil
	}
	var out []Case
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		found := false
		for _, c := range m {
			if c.Name == name {
				out, found = append(out, c), true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown case %q", name)
		}
	}
	return out, nil
}

// Endpoints are where one run publishes.
type Endpoints struct {
	RTMP    []string // full URLs, key last
	RTPAddr string   // host:port
	Display string   // X display for screen cases
}

// Destinations is how many RTMP destinations c publishes to.
func (c Case) Destinations() int {
	if c.Second != nil {
		return c.RTMP + c.Second.destinations(c.RTMP)
	}
	return c.RTMP
}

func (r *SecondRendition) destinations(main int) int {
	if r.RTMP > 0 {
		return r.RTMP
	}
	return main
}

// GoLiveArgs is the `golive live` command line of c.
func (c Case) GoLiveArgs(e Endpoints, media time.Duration) []string {
	if c.Second != nil {
		return []string{"live", "--profile", benchProfile, "--duration", media.String(), "--stats", "json"}
	}
	a := []string{"live", "--audio", "test",
		"--size", fmt.Sprintf("%dx%d", c.Width, c.Height), "--fps", strconv.Itoa(c.FPS),
		"--video-bitrate", fmt.Sprintf("%dk", c.VideoKbps), "--audio-bitrate", fmt.Sprintf("%dk", AudioKbps),
		"--encoder", "libx264", "--preset", "veryfast",
		"--duration", media.String(), "--stats", "json"}
	if c.Screen {
		a = append(a, "--source", "screen", "--display", e.Display)
	} else {
		a = append(a, "--source", "test")
	}
	for _, u := range e.RTMP {
		a = append(a, "--rtmp", u)
	}
	if e.RTPAddr != "" {
		a = append(a, "--rtp", e.RTPAddr)
	}
	return a
}

// FFmpegArgs is the reference: the ffmpeg command line doing the same job
// with one encode and the tee muxer.
func (c Case) FFmpegArgs(e Endpoints, media time.Duration) []string {
	if c.Second != nil {
		return c.ffmpegTwoRenditions(e, media)
	}
	a := []string{"-hide_banner", "-nostdin", "-v", "error"}
	if c.Screen {
		a = append(a, "-f", "x11grab", "-framerate", strconv.Itoa(c.FPS),
			"-video_size", fmt.Sprintf("%dx%d", c.Width, c.Height), "-i", e.Display)
	} else {
		a = append(a, "-re", "-f", "lavfi", "-i", testpattern.VideoGraph(c.Width, c.Height, c.FPS))
	}
	rate := fmt.Sprintf("%dk", c.VideoKbps)
	a = append(a, "-re", "-f", "lavfi", "-i", testpattern.AudioGraph(),
		"-t", strconv.FormatFloat(media.Seconds(), 'f', -1, 64), "-map", "0:v", "-map", "1:a",
		"-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-profile:v", "high",
		"-b:v", rate, "-maxrate", rate, "-bufsize", fmt.Sprintf("%dk", 2*c.VideoKbps),
		"-g", strconv.Itoa(2*c.FPS), "-keyint_min", strconv.Itoa(2*c.FPS), "-sc_threshold", "0",
		"-bf", "0", "-pix_fmt", "yuv420p",
		"-c:a", "aac", "-b:a", fmt.Sprintf("%dk", AudioKbps), "-ar", "48000", "-ac", "2",
		"-flags", "+global_header", "-f", "tee", teeOutputs(e))
	return a
}

func teeOutputs(e Endpoints) string {
	var outs []string
	for _, u := range e.RTMP {
		outs = append(outs, "[f=flv:onfail=ignore]"+u)
	}
	if e.RTPAddr != "" {
		outs = append(outs, "[f=rtp_mpegts:onfail=ignore]rtp://"+e.RTPAddr)
	}
	return strings.Join(outs, "|")
}
