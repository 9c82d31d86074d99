package session

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"golive/app/profile"
	"golive/media/engine"
)

// Cost awareness: before going live the encoders' CPU is estimated from
// their pixel rate and a per-codec, per-preset cost, and compared with the
// machine's cores (the Go Live check of the window and `golive live` both
// call CPUWarning). While live each encoder's measured share of a core is
// in Stats ("encoders": "cpu").
//
// The costs are CPU nanoseconds per output pixel, measured on the 2-core
// development machine (AMD EPYC, FFmpeg 5.1 of Debian 12) on 7 Dec 2026:
// the test pattern (testsrc2 with the sync flash) encoded by the ffmpeg
// command line with GoLive's options (CBR, no B-frames, zerolatency, 2 s
// GOP), 240 frames, user+system CPU time minus that of the same pipeline
// without encoding. libx264 veryfast: 8.5 ns/px at 854x480, 7.6 at
// 1280x720, 6.8 at 1920x1080; 720p: ultrafast 3.0, superfast 5.1, faster
// 12.7, fast 17.6, medium 21.0; libx265 ultrafast (GoLive's x265 for
// "veryfast") 22.8; libsvtav1 preset 12: 13.6 at 720p, 11.3 at 1080p;
// preset 10: 27. Slower presets than measured are extrapolated. Each
// encoder also scales (or crops) the capture: about 1 ns/px more.
// Screen content with more motion costs more than the pattern: the
// estimate is a floor, hence the warning below the number of cores.

// EncoderCost is the estimated CPU of one video encoder.
type EncoderCost struct {
	// ID is the encoder's id in Stats ("main", "r1"...).
	ID                 string
	Width, Height, FPS int
	Encoder, Preset    string
	// Cores is the estimated share of the machine's cores it keeps busy
	// (1 = one core).
	Cores float64
}

// overloadShare is the share of the cores the encoders may take before
// the Go Live check warns: capture, audio, sending and the desktop being
// streamed need the rest.
const overloadShare = 0.8

// scaleNsPerPixel is the scaling (or crop and scale) cost per output pixel.
const scaleNsPerPixel = 1.0

// x264NsPerPixel are libx264's measured (and extrapolated: slow and
// slower) costs per pixel by preset.
var x264NsPerPixel = map[string]float64{
	"ultrafast": 3.0, "superfast": 5.1, "veryfast": 7.6, "faster": 12.7, "fast": 17.6,
	"medium": 21.0, "slow": 32, "slower": 60, "veryslow": 120,
}

// nsPerPixel is the estimated encoding cost per output pixel of one
// encoder with its preset.
func nsPerPixel(encoder, preset string) float64 {
	x264 := x264NsPerPixel[preset]
	if x264 == 0 {
		x264 = x264NsPerPixel["veryfast"]
	}
	switch encoder {
	case "", "auto", "libx264":
		return x264
	case "libx265":
		// GoLive runs x265 "ultrafast" for veryfast and faster presets
		// (media/encode); slower ones cost about 3x x264's.
		return max(22.8, 3*x264)
	case "libsvtav1":
		return svtNsPerPixel(preset)
	}
	// Hardware encoders (nvenc, qsv, vaapi, videotoolbox): uploading
	// and the driver's work on the CPU, about the scaling's cost.
	return 1.0
}

// svtNsPerPixel is SVT-AV1's cost by preset number (media/encode maps a
// name to 12): measured 12.5 at 12 and 27 at 10, about 1.45x a step.
func svtNsPerPixel(preset string) float64 {
	n, err := strconv.Atoi(preset)
	if err != nil || n < 0 || n > 13 {
		n = 12
	}
	cost := 12.5
	for i := n; i < 12; i++ {
		cost *= 1.45
	}
	if n == 13 {
		cost = 10
	}
	return cost
}

// costOf estimates one encoder's share of the cores.
func costOf(id string, r engine.Rendition) EncoderCost {
	pixels := float64(r.Width) * float64(r.Height) * float64(r.FPS)
	ns := nsPerPixel(r.Encoder, r.Preset) + scaleNsPerPixel
	return EncoderCost{ID: id, Width: r.Width, Height: r.Height, FPS: r.FPS, Encoder: r.Encoder, Preset: r.Preset,
		Cores: pixels * ns / 1e9}
}

// estimate lists the main encoder and each extra rendition's (placed:
// every field filled) with their estimated cost.
func estimate(main engine.Config, extra []engine.Rendition) []EncoderCost {
	m, _ := main.Place(engine.Rendition{})
	out := []EncoderCost{costOf(engine.MainID, m)}
	for _, r := range extra {
		out = append(out, costOf(r.ID, r))
	}
	return out
}

// EstimateEncoders lists the video encoders going live with cfg runs
// (the main one, then one per distinct rendition of its Outputs, as
// Initialize plans them) with their estimated CPU.
func EstimateEncoders(cfg Config) []EncoderCost {
	s := &Session{Config: cfg}
	return estimate(cfg.Engine, s.planRenditions())
}

// ProfileEncoders estimates the encoders going live with p runs (its
// enabled destinations; one whose codec is refused is left out, as going
// live refuses it).
func ProfileEncoders(p profile.Profile) []EncoderCost {
	cfg := Config{Engine: EngineConfig(p)}
	for _, d := range p.Destinations {
		if !d.Enabled {
			continue
		}
		v, err := DestinationVideo(p, d)
		if err != nil {
			continue
		}
		cfg.Outputs = append(cfg.Outputs, Output{Name: d.Name, Video: v})
	}
	return EstimateEncoders(cfg)
}

// CPUWarning says, before going live, when the encoders need more than
// the machine's cores can give (more than 80 % of them); "" when they fit.
func CPUWarning(costs []EncoderCost, cores int) string {
	total := 0.0
	for _, c := range costs {
		total += c.Cores
	}
	if cores < 1 || total <= overloadShare*float64(cores) {
		return ""
	}
	who := fmt.Sprintf("The %d encoders need", len(costs))
	if len(costs) == 1 {
		who = "The encoder needs"
	}
	of := fmt.Sprintf("of your %d cores", cores)
	if cores == 1 {
		of = "of your 1 core"
	}
	return fmt.Sprintf("%s about %.1f %s: expect skipped frames. "+
		"Lower a destination's size, fps or preset, or share the main video.", who, total, of)
}

// CheckCPU is the Go Live check's CPU warning for encoders on this
// machine (runtime.NumCPU cores).
func CheckCPU(costs []EncoderCost) string {
	return CPUWarning(costs, runtime.NumCPU())
}

// warnCPU keeps the CPU warning before going live (Warnings, for people)
// and logs it with the encoders at info level.
func (s *Session) warnCPU(costs []EncoderCost) {
	msg := CheckCPU(costs)
	if msg == "" {
		return
	}
	list := make([]string, len(costs))
	for i, c := range costs {
		list[i] = c.describe()
	}
	s.Logger.Info(msg, "encoders", strings.Join(list, ", "))
	s.mu.Lock()
	s.warnings = append(s.warnings, msg)
	s.mu.Unlock()
}

// describe is one encoder for a log line: "r1 1920x1080@60 libsvtav1 ~1.5 cores".
func (c EncoderCost) describe() string {
	return fmt.Sprintf("%s %dx%d@%d %s ~%.2f cores", c.ID, c.Width, c.Height, c.FPS,
		strings.TrimSpace(c.Encoder+" "+c.Preset), c.Cores)
}
