package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"golive/media/capture"
	"golive/media/encode"
	"golive/media/stream"
	"golive/media/unit"
)

// MainID is the id of the engine's own (main) encoder.
const MainID = "main"

// Layouts of a rendition.
const (
	// LayoutLandscape fits the whole capture in the output size
	// (letterboxed when the aspect ratios differ).
	LayoutLandscape = "landscape"
	// LayoutVertical crops the centred 9:16 part of the capture, then
	// scales it to the output size.
	LayoutVertical = "vertical"
)

// Rendition is one more encode of the same capture: its own scale (or
// crop) and video encoder, published to a stream of its own that carries
// the same audio packets as the main stream.
type Rendition struct {
	// ID names the encoder (stats, RenditionStream); unique, not MainID.
	ID                 string
	Width, Height, FPS int
	// VideoBitrate in bps (CBR).
	VideoBitrate    int
	Encoder, Preset string
	// Layout is LayoutLandscape (default) or LayoutVertical.
	Layout string
	// OnDemand: the rendition encodes only while its stream has a reader
	// (a destination's fallback, see Stream.Readers). Its encoder is opened
	// with the others, but scales and encodes nothing (costs no CPU) until
	// a reader subscribes; its first frame then is a key frame.
	OnDemand bool
}

// pipe is the scale/crop, hand-off, encoder and stream of one extra
// rendition. The capture goroutine scales into its hand-off; its own
// goroutine encodes.
type pipe struct {
	Rendition
	venc    *encode.Video
	scaler  encode.Scaler
	handoff handoff
	stream  *stream.Stream
	stats   counters
	meter   encMeter
	last    int64 // last frame index offered (its own frame grid)
	// idle: an on-demand rendition without readers left the last
	// picture out.
	idle bool
	// target is the bitrate asked for (SetBitrate), applied by run before
	// its next frame; liveRate: the encoder can change it while running.
	target   atomic.Int64
	liveRate bool
}

func (r *Rendition) fill(c *Config) {
	if r.FPS == 0 {
		r.FPS = c.FPS
	}
	if r.Width == 0 && r.Height == 0 {
		r.Width, r.Height = c.Width, c.Height
	}
	if r.VideoBitrate == 0 {
		r.VideoBitrate = c.VideoBitrate
	}
	if r.Encoder == "" {
		r.Encoder = c.Encoder
	}
	if r.Preset == "" {
		r.Preset = c.Preset
	}
	if r.Layout == "" {
		r.Layout = LayoutLandscape
	}
}

// validateRenditions checks the extra renditions against the main one.
func (c *Config) validateRenditions() error {
	var ids []string
	for i := range c.Renditions {
		r := &c.Renditions[i]
		r.fill(c)
		switch {
		case r.ID == "" || r.ID == MainID || slices.Contains(ids, r.ID):
			return fmt.Errorf("rendition %d: id %q is empty, %q or used twice", i+1, r.ID, MainID)
		case r.Width <= 0 || r.Height <= 0 || r.Width%2 != 0 || r.Height%2 != 0:
			return fmt.Errorf("rendition %s: size %dx%d must be positive and even", r.ID, r.Width, r.Height)
		case r.FPS < 1 || r.FPS > c.FPS:
			return fmt.Errorf("rendition %s: frame rate %d must be 1 to the capture's %d (raise the profile's fps)", r.ID, r.FPS, c.FPS)
		case r.VideoBitrate < 100_000:
			return fmt.Errorf("rendition %s: video bitrate %d bps too low", r.ID, r.VideoBitrate)
		case r.Layout != LayoutLandscape && r.Layout != LayoutVertical:
			return fmt.Errorf("rendition %s: layout %q: want %s or %s", r.ID, r.Layout, LayoutLandscape, LayoutVertical)
		}
		ids = append(ids, r.ID)
	}
	return nil
}

// openPipes opens the extra renditions' encoders and streams; audio is
// the main stream's audio tracks.
func (e *Engine) openPipes(audio []*unit.AudioParams) error {
	for _, r := range e.Renditions {
		p := &pipe{Rendition: r, last: -1}
		e.pipes = append(e.pipes, p)
		p.venc = &encode.Video{
			Encoder: r.Encoder, Width: r.Width, Height: r.Height, FPS: r.FPS,
			Bitrate: r.VideoBitrate, Preset: r.Preset, KeyframeInterval: e.KeyframeInterval,
			Logger: e.Logger.With("encoder", r.ID),
		}
		tids, err := startedBy(p.venc.Initialize)
		if err != nil {
			p.venc = nil
			return fmt.Errorf("rendition %s: %w", r.ID, err)
		}
		p.meter.threads.add(tids...)
		e.Logger.Debug("encoder opened", "encoder", r.ID, "threads", len(tids))
		p.target.Store(int64(r.VideoBitrate))
		p.liveRate = p.venc.LiveBitrate()
		p.scaler = encode.Scaler{Width: r.Width, Height: r.Height, PixelFormat: p.venc.PixelFormat(),
			Vertical: r.Layout == LayoutVertical}
		if err := p.handoff.init(e.Handoff); err != nil {
			return err
		}
		p.stream = stream.New(unit.Tracks{Video: p.venc.Params(), Audio: audio})
	}
	return nil
}

// offer scales the captured picture for this rendition and hands it to
// its encoder; a picture between two of its frame slots is left out (a
// lower frame rate), one its encoder has no room for is skipped.
func (p *pipe) offer(vf capture.VideoFrame, epoch time.Time) error {
	idx := frameIndex(vf.Time, epoch, p.FPS)
	if idx <= p.last {
		return nil
	}
	p.last = idx
	if p.OnDemand && p.stream.Readers() == 0 {
		p.idle = true
		return nil
	}
	if p.idle {
		p.idle = false
		p.venc.RequestKeyFrame()
	}
	p.stats.captured.Add(1)
	var s *slot
	select {
	case s = <-p.handoff.idle:
	default:
		p.stats.skipped.Add(1)
		return nil
	}
	start, cpu := time.Now(), onThreadCPU()
	if err := p.scaler.Scale(vf.Frame, s.frame); err != nil {
		p.handoff.idle <- s
		return fmt.Errorf("rendition %s: video conversion: %w", p.ID, err)
	}
	p.meter.busy(time.Since(start), onThreadCPU()-cpu)
	s.index, s.captured = idx, vf.Time
	p.handoff.ready <- s
	return nil
}

// run encodes this rendition's pictures until ctx ends.
func (p *pipe) run(ctx context.Context) error {
	tid, unlock := lockThread() // its CPU time is the encoder's
	defer unlock()
	p.meter.threads.add(tid)
	for {
		var s *slot
		select {
		case <-ctx.Done():
			return nil
		case s = <-p.handoff.ready:
		}
		if t := int(p.target.Load()); p.liveRate && t != p.venc.Bitrate {
			if err := p.venc.SetBitrate(t); err != nil {
				p.handoff.idle <- s
				return fmt.Errorf("rendition %s: %w", p.ID, err)
			}
		}
		start := time.Now()
		pkts, err := p.venc.Encode(s.frame, s.index, s.captured)
		s.frame.Unref()
		p.handoff.idle <- s
		if err != nil {
			return fmt.Errorf("rendition %s: %w", p.ID, err)
		}
		now := time.Now()
		p.stats.frameEncoded(now)
		p.meter.frame(now, now.Sub(start), pkts)
		for _, pk := range pkts {
			p.stream.Write(pk)
		}
	}
}

func (p *pipe) free() {
	if p.venc != nil {
		p.venc.Close()
		p.venc = nil
	}
	p.scaler.Close()
	p.handoff.release()
}

// writeAudio publishes an audio packet to the main stream and to every
// rendition's stream (packets are read-only once written).
func (e *Engine) writeAudio(p *unit.Packet) {
	e.stream.Write(p)
	for _, pp := range e.pipes {
		pp.stream.Write(p)
	}
}

// closeStreams closes the main stream and the renditions' streams.
func (e *Engine) closeStreams() {
	if e.stream != nil {
		e.stream.Close()
	}
	for _, p := range e.pipes {
		if p.stream != nil {
			p.stream.Close()
		}
	}
}

// RenditionStream returns the stream of the rendition id (MainID: the
// main stream); nil when there is none.
func (e *Engine) RenditionStream(id string) *stream.Stream {
	if id == MainID || id == "" {
		return e.Stream()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, p := range e.pipes {
		if p.ID == id {
			return p.stream
		}
	}
	return nil
}

// RequestKeyFrameFor asks the encoder of rendition id for a key frame
// (see RequestKeyFrame).
func (e *Engine) RequestKeyFrameFor(id string) {
	if id == MainID || id == "" {
		e.RequestKeyFrame()
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, p := range e.pipes {
		if p.ID == id && p.venc != nil && e.state != stateClosed {
			p.venc.RequestKeyFrame()
		}
	}
}

// Place fills r's unset fields from c (with the engine's defaults) and
// reports whether the result is the main rendition, which needs no
// encoder of its own. r.ID and r.OnDemand are cleared.
func (c Config) Place(r Rendition) (Rendition, bool) {
	tmp := Engine{Config: c}
	tmp.fillDefaults()
	r.ID = ""
	r.fill(&tmp.Config)
	r.OnDemand = false
	main := Rendition{Width: tmp.Width, Height: tmp.Height, FPS: tmp.FPS, VideoBitrate: tmp.VideoBitrate,
		Encoder: tmp.Encoder, Preset: tmp.Preset, Layout: LayoutLandscape}
	return r, r == main
}

// ErrFixedBitrate is wrapped by SetBitrate's error for an encoder whose
// bitrate cannot change while it runs.
var ErrFixedBitrate = errors.New("this encoder's bitrate cannot change while live")

// SetBitrate sets the video bitrate of rendition id from its next frame
// on (libx264 reconfigures its rate control between frames). The main
// encoder is refused: it serves every destination without a rendition of
// its own, which one destination's path must not change.
func (e *Engine) SetBitrate(id string, bps int) error {
	if bps < 50_000 || bps > 200_000_000 {
		return fmt.Errorf("encoder %s: bitrate %d bps out of range", id, bps)
	}
	if id == MainID || id == "" {
		return errors.New("the main encoder's bitrate is the profile's: only a destination's own encoder adapts")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, p := range e.pipes {
		if p.ID != id {
			continue
		}
		if !p.liveRate {
			return fmt.Errorf("encoder %s (%s): %w", id, p.Encoder, ErrFixedBitrate)
		}
		p.target.Store(int64(bps))
		return nil
	}
	return fmt.Errorf("no encoder %q", id)
}
