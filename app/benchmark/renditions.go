package benchmark

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"golive/media/testpattern"
)

// benchProfile is the profile a two-rendition case goes live with.
const benchProfile = "bench-renditions"

// GoLiveSetup lists the `golive profile` commands that prepare c's run
// (none for a one-rendition case): the profile with its first RTMP
// destinations on the main rendition and the others on the second one.
// They run, untimed, with GOLIVE_CONFIG_DIR set to a scratch folder.
func (c Case) GoLiveSetup(e Endpoints) [][]string {
	if c.Second == nil {
		return nil
	}
	cmds := [][]string{{"profile", "add", benchProfile, "source=test", "audio=test",
		"size=" + fmt.Sprintf("%dx%d", c.Width, c.Height), "fps=" + strconv.Itoa(c.FPS),
		"video_bitrate=" + fmt.Sprintf("%dk", c.VideoKbps), "audio_bitrate=" + fmt.Sprintf("%dk", AudioKbps),
		"encoder=libx264", "encoder.preset=veryfast"}}
	set := []string{"profile", "set", benchProfile}
	for i, u := range e.RTMP {
		name := fmt.Sprintf("d%d", i)
		cmds = append(cmds, []string{"profile", "add-dest", benchProfile, "--rtmp", rtmpWithKey(u), "--name", name})
		if i >= c.RTMP {
			set = append(set, "dest."+name+".size="+fmt.Sprintf("%dx%d", c.Second.Width, c.Second.Height),
				"dest."+name+".video_bitrate="+fmt.Sprintf("%dk", c.Second.VideoKbps))
		}
	}
	return append(cmds, set)
}

// rtmpWithKey writes rtmp://host/app/key as rtmp://host/app#key.
func rtmpWithKey(u string) string {
	i := strings.LastIndex(u, "/")
	return u[:i] + "#" + u[i+1:]
}

// ffmpegTwoRenditions is the reference of a two-rendition case: one
// capture split in two, scaled, two libx264 encoders, the audio encoded
// once, and one tee muxer sending each encode to its destinations.
func (c Case) ffmpegTwoRenditions(e Endpoints, media time.Duration) []string {
	r1, r2 := fmt.Sprintf("%dk", c.VideoKbps), fmt.Sprintf("%dk", c.Second.VideoKbps)
	g := strconv.Itoa(2 * c.FPS)
	a := []string{"-hide_banner", "-nostdin", "-v", "error",
		"-re", "-f", "lavfi", "-i", testpattern.VideoGraph(c.Width, c.Height, c.FPS),
		"-re", "-f", "lavfi", "-i", testpattern.AudioGraph(),
		"-t", strconv.FormatFloat(media.Seconds(), 'f', -1, 64),
		"-filter_complex", fmt.Sprintf("[0:v]split=2[v0][s1];[s1]scale=%d:%d:flags=bilinear[v1]", c.Second.Width, c.Second.Height),
		"-map", "[v0]", "-map", "[v1]", "-map", "1:a",
		"-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-profile:v", "high",
		"-b:v:0", r1, "-maxrate:v:0", r1, "-bufsize:v:0", fmt.Sprintf("%dk", 2*c.VideoKbps),
		"-b:v:1", r2, "-maxrate:v:1", r2, "-bufsize:v:1", fmt.Sprintf("%dk", 2*c.Second.VideoKbps),
		"-g", g, "-keyint_min", g, "-sc_threshold", "0", "-bf", "0", "-pix_fmt", "yuv420p",
		"-c:a", "aac", "-b:a", fmt.Sprintf("%dk", AudioKbps), "-ar", "48000", "-ac", "2",
		"-flags", "+global_header", "-f", "tee"}
	var outs []string
	for i, u := range e.RTMP {
		v := 0
		if i >= c.RTMP {
			v = 1
		}
		outs = append(outs, fmt.Sprintf(`[select=\'v:%d,a\':f=flv:onfail=ignore]%s`, v, u))
	}
	return append(a, strings.Join(outs, "|"))
}
