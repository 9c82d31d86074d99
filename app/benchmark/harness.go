package benchmark

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// Harness runs the case matrix, alternating GoLive and ffmpeg (A B A B
// ...), against one nginx-rtmp ingest and one UDP sink for RTP.
type Harness struct {
	// GoLive is the path of the golive binary.
	GoLive string
	// FFmpeg is the ffmpeg binary (default "ffmpeg").
	FFmpeg string
	// Pairs is the number of A/B pairs per case (default 5).
	Pairs int
	// Media is the length of each run in media time (default 12 s).
	Media time.Duration
	// GoLiveEnv is added to GoLive's environment (GOMAXPROCS=1, GOGC=50
	// ... for experiments).
	GoLiveEnv []string
	// Dir is a scratch directory (nginx, Xvfb).
	Dir    string
	Logger *slog.Logger

	ingest  *Ingest
	sink    *udpSink
	display *busyDisplay
}

// Run is one execution of one program.
type Run struct {
	Usage
	// FirstVideo is the time from process start to the first coded video
	// frame relayed by the ingest (0 when it never came).
	FirstVideo time.Duration
	// Stats is GoLive's own report (zero for ffmpeg).
	Stats RunStats
	// Others is the CPU the rest of the machine used during the run
	// (nginx, the harness and any other process, and the host's steal),
	// in cores: the noise.
	Others float64
	// Steal is the part of Others the hypervisor took (cores): CPU time
	// this virtual machine wanted and the host gave to someone else.
	Steal float64
	Err   error
}

// CPUPerMediaS is CPU seconds per media second.
func (r Run) CPUPerMediaS(media time.Duration) float64 {
	if r.Err != nil {
		return math.NaN()
	}
	return r.CPU.Seconds() / media.Seconds()
}

// CPUPerWallS is CPU seconds per wall second (cores).
func (r Run) CPUPerWallS() float64 {
	if r.Err != nil || r.Wall <= 0 {
		return math.NaN()
	}
	return r.CPU.Seconds() / r.Wall.Seconds()
}

// CaseResult holds the runs of one case.
type CaseResult struct {
	Case           Case
	Media          time.Duration
	GoLive, FFmpeg []Run
	// Base is GoLive's runs of the case c.PlusOneOf names, each before
	// the GoLive run of the same pair (FFmpeg is then empty).
	Base []Run
}

func (h *Harness) defaults() {
	if h.FFmpeg == "" {
		h.FFmpeg = "ffmpeg"
	}
	if h.Pairs <= 0 {
		h.Pairs = 5
	}
	if h.Media <= 0 {
		h.Media = 12 * time.Second
	}
	if h.Logger == nil {
		h.Logger = slog.Default()
	}
}

// Start starts the ingest and the RTP sink.
func (h *Harness) Start() error {
	h.defaults()
	if err := os.MkdirAll(h.Dir, 0o755); err != nil {
		return fmt.Errorf("scratch directory: %w", err)
	}
	h.ingest = &Ingest{Dir: h.Dir}
	if err := h.ingest.Start(); err != nil {
		return err
	}
	var err error
	if h.sink, err = startUDPSink(); err != nil {
		h.Close()
		return err
	}
	return nil
}

// Close stops everything Start started.
func (h *Harness) Close() {
	if h.display != nil {
		h.display.close()
		h.display = nil
	}
	if h.sink != nil {
		h.sink.close()
		h.sink = nil
	}
	if h.ingest != nil {
		h.ingest.Stop()
		h.ingest = nil
	}
}

// RunCase runs Pairs pairs of c; seq numbers stream keys uniquely.
func (h *Harness) RunCase(ctx context.Context, c Case, seq int) CaseResult {
	res := CaseResult{Case: c, Media: h.Media}
	if c.Screen {
		// The busy screen runs only for screen cases: its player costs
		// CPU that would disturb the others.
		d, err := startBusyDisplay(h.Dir)
		if err != nil {
			res.GoLive = append(res.GoLive, Run{Err: err})
			return res
		}
		h.display = d
		defer func() { d.close(); h.display = nil }()
	}
	pairs := h.Pairs
	if c.Pairs > 0 {
		pairs = c.Pairs
	}
	if c.PlusOneOf != "" {
		return h.runPlusOne(ctx, c, seq, pairs)
	}
	for i := range pairs {
		for _, golive := range []bool{true, false} {
			if ctx.Err() != nil {
				return res
			}
			r := h.runOnce(ctx, c, golive, fmt.Sprintf("c%d-p%d-%t", seq, i, golive))
			prog := "ffmpeg"
			if golive {
				prog = "golive"
				res.GoLive = append(res.GoLive, r)
			} else {
				res.FFmpeg = append(res.FFmpeg, r)
			}
			h.logRun(c, i, prog, r)
		}
	}
	return res
}

// logRun logs one run, then lets nginx drop its streams.
func (h *Harness) logRun(c Case, pair int, prog string, r Run) {
	h.Logger.Info("bench run", "case", c.Name, "pair", pair+1, "program", prog,
		"cpu_per_media_s", fmt.Sprintf("%.3f", r.CPUPerMediaS(h.Media)),
		"cpu_per_wall_s", fmt.Sprintf("%.3f", r.CPUPerWallS()), "skipped", r.Stats.Skipped, "encoders", fmt.Sprintf("%+v", r.Stats.Encoders),
		"rss_mb", r.MaxRSSKB/1024, "first_video", r.FirstVideo.Round(time.Millisecond),
		"p50_ms", r.Stats.LatencyP50Ms, "p99_ms", r.Stats.LatencyP99Ms,
		"others_cores", fmt.Sprintf("%.2f", r.Others), "steal_cores", fmt.Sprintf("%.2f", r.Steal), "err", r.Err)
	time.Sleep(500 * time.Millisecond)
}

func (h *Harness) runOnce(ctx context.Context, c Case, golive bool, tag string) Run {
	e := Endpoints{RTPAddr: h.sink.addr}
	if c.Second != nil {
		e.RTPAddr = ""
	}
	for k := range c.Destinations() {
		e.RTMP = append(e.RTMP, h.ingest.URL(fmt.Sprintf("%s-%d", tag, k)))
	}
	if c.Screen {
		e.Display = h.display.name
	}
	probe, err := startFirstVideoProbe(ctx, h.ingest.addr(), "live", tag+"-0")
	if err != nil {
		return Run{Err: err}
	}
	defer probe.close()
	name, args, env := h.FFmpeg, c.FFmpegArgs(e, h.Media), []string(nil)
	if golive {
		name, args, env = h.GoLive, c.GoLiveArgs(e, h.Media), h.GoLiveEnv
		if env, err = h.setupGoLive(ctx, c, e, tag, env); err != nil {
			return Run{Err: err}
		}
	}
	rctx, cancel := context.WithTimeout(ctx, h.Media+60*time.Second)
	defer cancel()
	t0, _ := machineBusy()
	u, out, err := runChild(rctx, name, args, env, nil)
	t1, _ := machineBusy()
	r := Run{Usage: u, Err: err}
	if t0.Busy > 0 && t1.Busy > t0.Busy && u.Wall > 0 {
		r.Others = max(0, (t1.Busy-t0.Busy-u.CPU).Seconds()/u.Wall.Seconds())
		r.Steal = max(0, (t1.Steal-t0.Steal).Seconds()/u.Wall.Seconds())
	}
	wctx, wcancel := context.WithTimeout(ctx, 100*time.Millisecond)
	if t, err := probe.wait(wctx); err == nil {
		r.FirstVideo = t.Sub(u.Start)
	}
	wcancel()
	if golive && err == nil {
		r.Stats, r.Err = ParseGoLiveStats(out)
	}
	return r
}

// setupGoLive runs c's `golive profile` commands (untimed) in a scratch
// config folder and returns env with GOLIVE_CONFIG_DIR set to it.
func (h *Harness) setupGoLive(ctx context.Context, c Case, e Endpoints, tag string, env []string) ([]string, error) {
	cmds := c.GoLiveSetup(e)
	if len(cmds) == 0 {
		return env, nil
	}
	dir := filepath.Join(h.Dir, "config-"+tag)
	env = append(slices.Clone(env), "GOLIVE_CONFIG_DIR="+dir)
	for _, args := range cmds {
		if _, _, err := runChild(ctx, h.GoLive, args, env, nil); err != nil {
			return nil, fmt.Errorf("golive %s: %w", strings.Join(args[:2], " "), err)
		}
	}
	return env, nil
}

// udpSink receives and discards the RTP target's datagrams, so that the
// sender never sees ICMP port unreachable.
type udpSink struct {
	addr    string
	pc      net.PacketConn
	done    chan struct{}
	packets atomic.Uint64
}

func startUDPSink() (*udpSink, error) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("rtp sink: %w", err)
	}
	s := &udpSink{addr: pc.LocalAddr().String(), pc: pc, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		buf := make([]byte, 64*1024)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
			s.packets.Add(1)
		}
	}()
	return s, nil
}

func (s *udpSink) close() {
	_ = s.pc.Close()
	<-s.done
}
