package engine

import (
	"sync"
	"time"

	"golive/media/unit"
)

// encMeter measures one encoder's output bitrate and the CPU it costs,
// over windows of at least a second: the CPU time of its threads (see
// threadCPU) plus that of scaling its pictures on the capture thread;
// where threads cannot be measured, the wall time of the scale and encode
// calls.
type encMeter struct {
	mu          sync.Mutex
	windowStart time.Time
	bytes       int
	// wall is the time spent in the scale and encode calls, scale the CPU
	// time of the scaling, in the current window.
	wall, scale time.Duration
	threads     threadCPU
	kbps, cpu   float64
}

// busy counts one scaling: its wall time and its thread's CPU time.
func (m *encMeter) busy(wall, cpu time.Duration) {
	m.mu.Lock()
	m.wall += wall
	m.scale += cpu
	m.mu.Unlock()
}

func (m *encMeter) frame(now time.Time, took time.Duration, pkts []*unit.Packet) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.windowStart.IsZero() {
		m.windowStart = now
	}
	m.wall += took
	for _, p := range pkts {
		m.bytes += len(p.Data)
	}
	if d := now.Sub(m.windowStart); d >= time.Second {
		m.kbps = float64(m.bytes) * 8 / 1000 / d.Seconds()
		busy := m.wall
		if m.threads.counting() {
			busy = m.threads.delta() + m.scale
		}
		m.cpu = busy.Seconds() / d.Seconds()
		m.windowStart, m.bytes, m.wall, m.scale = now, 0, 0, 0
	}
}

func (m *encMeter) read() (kbps, cpu float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.kbps, m.cpu
}

// EncoderStats describes one video encoder: the main one or a
// rendition's.
type EncoderStats struct {
	ID    string
	Codec string
	// Encoder is the libavcodec encoder's name (libx264, ...).
	Encoder string
	Width   int
	Height  int
	FPS     int
	Layout  string
	// BitrateKbps is the encoder's output over the last second;
	// TargetKbps is the bitrate asked of it now (an adaptive encoder's
	// moves, see SetBitrate), ConfiguredKbps the rendition's.
	BitrateKbps, TargetKbps, ConfiguredKbps float64
	// LiveBitrate: SetBitrate can change its bitrate while live.
	LiveBitrate bool
	// OnDemand: it encodes only while read (Rendition.OnDemand); Idle: it
	// has no reader now.
	OnDemand, Idle bool
	// Encoded and Skipped count its frames (skipped: captured while it
	// had no room for them).
	Encoded, Skipped uint64
	// CPU is the share of one core's time spent scaling and encoding
	// for it: CPU time of its threads per second (on Linux; elsewhere
	// the wall time of its scale and encode calls per second).
	CPU float64
}

// Encoders returns the stats of every video encoder, the main one first.
func (e *Engine) Encoders() []EncoderStats {
	kbps, cpu := e.meter.read()
	out := []EncoderStats{{
		ID: MainID, Codec: "h264", Encoder: e.Encoder, Width: e.Width, Height: e.Height, FPS: e.FPS, Layout: LayoutLandscape,
		BitrateKbps: kbps, TargetKbps: float64(e.VideoBitrate) / 1000, ConfiguredKbps: float64(e.VideoBitrate) / 1000,
		Encoded: e.stats.encoded.Load(), Skipped: e.stats.skipped.Load(), CPU: cpu,
	}}
	e.mu.Lock()
	pipes := e.pipes
	e.mu.Unlock()
	for _, p := range pipes {
		kbps, cpu := p.meter.read()
		out = append(out, EncoderStats{
			ID: p.ID, Codec: p.codec(), Encoder: p.Encoder, Width: p.Width, Height: p.Height, FPS: p.FPS, Layout: p.Layout,
			BitrateKbps: kbps, TargetKbps: float64(p.target.Load()) / 1000,
			ConfiguredKbps: float64(p.VideoBitrate) / 1000, LiveBitrate: p.liveRate,
			OnDemand: p.OnDemand, Idle: p.OnDemand && p.stream != nil && p.stream.Readers() == 0,
			Encoded: p.stats.encoded.Load(), Skipped: p.stats.skipped.Load(), CPU: cpu,
		})
	}
	return out
}

// codec names the pipe's video codec ("h264", "hevc", "av1").
func (p *pipe) codec() string {
	if p.venc == nil {
		return unit.CodecH264.String()
	}
	return p.venc.Params().Codec.String()
}
