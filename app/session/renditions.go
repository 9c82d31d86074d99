package session

import (
	"fmt"
	"slices"

	"golive/media/engine"
	"golive/outputs/dest"
)

// Renditions: each destination reads the stream of one video encoder.
// Destinations without a rendition of their own (Output.Video nil) and
// those whose rendition equals the main one read the main encoder;
// destinations with equal renditions share one encoder (ids "r1",
// "r2"... in the order they first appear).

// EncoderStats is one video encoder in Stats (`--stats json`
// "encoders").
type EncoderStats struct {
	ID          string  `json:"id"`
	Codec       string  `json:"codec"`
	Size        string  `json:"size"`
	FPS         int     `json:"fps"`
	Layout      string  `json:"layout"`
	BitrateKbps float64 `json:"bitrate_kbps"`
	TargetKbps  float64 `json:"target_kbps"`
	// ConfiguredKbps is the rendition's bitrate; an adaptive encoder's
	// target moves between FloorKbps and it.
	ConfiguredKbps float64 `json:"configured_kbps"`
	FloorKbps      float64 `json:"floor_kbps,omitempty"`
	// OnDemand: it runs only while a destination reads it (a fallback);
	// Idle: none does now.
	OnDemand     bool     `json:"on_demand,omitempty"`
	Idle         bool     `json:"idle,omitempty"`
	Destinations []string `json:"destinations"`
	Skipped      uint64   `json:"skipped"`
	// CPU is the share of one core spent scaling and encoding for it.
	CPU float64 `json:"cpu"`
}

// planRenditions gives every output an encoder id and returns the extra
// renditions the engine must run.
func (s *Session) planRenditions() []engine.Rendition {
	s.encoderOf = map[string]string{}
	var extra []engine.Rendition
	for _, o := range s.Outputs {
		id, found := s.findRendition(o, extra)
		if !found {
			r, _ := s.Engine.Place(*o.Video)
			r.ID = fmt.Sprintf("r%d", len(extra)+1)
			extra = append(extra, r)
			id = r.ID
		}
		s.encoderOf[o.Name] = id
	}
	// A fallback no destination reads at first runs on demand.
	for _, o := range s.Outputs {
		if o.Fallback == nil {
			continue
		}
		if _, found := s.findRendition(Output{Video: o.Fallback}, extra); !found {
			r, _ := s.Engine.Place(*o.Fallback)
			r.ID, r.OnDemand = fmt.Sprintf("r%d", len(extra)+1), true
			extra = append(extra, r)
		}
	}
	return extra
}

// findRendition returns the id of the encoder among running (or the
// main one) that makes o's rendition; false when none does.
func (s *Session) findRendition(o Output, running []engine.Rendition) (string, bool) {
	if o.Video == nil {
		return engine.MainID, true
	}
	want, isMain := s.Engine.Place(*o.Video)
	if isMain {
		return engine.MainID, true
	}
	for _, r := range running {
		id := r.ID
		if r.ID, r.OnDemand = "", false; r == want {
			return id, true
		}
	}
	return "", false
}

// encoderFor returns the encoder id of an output added or changed while
// live; ErrNeedsRestart when no running encoder makes its rendition.
func (s *Session) encoderFor(o Output) (string, error) {
	id, ok := s.findRendition(o, s.eng.Renditions)
	if !ok {
		r, _ := s.Engine.Place(*o.Video)
		return "", fmt.Errorf("destination %q needs its own encoder (%dx%d@%d, %d kb/s, %s), which this stream does not run; "+
			"add it before going live, or use a rendition another destination already has: %w",
			o.Name, r.Width, r.Height, r.FPS, r.VideoBitrate/1000, r.Layout, ErrNeedsRestart)
	}
	return id, nil
}

// ServesVideo reports whether a running encoder makes o's rendition, so
// that AddOutput or UpdateOutput can start o while live (else they return
// ErrNeedsRestart: a new encoder cannot start while live).
func (s *Session) ServesVideo(o Output) bool {
	if !s.Live() {
		return false
	}
	_, err := s.encoderFor(o)
	return err == nil
}

// encoderStats lists every encoder with the destinations reading it.
func (s *Session) encoderStats(entries []*entry) []EncoderStats {
	es := s.eng.Encoders()
	out := make([]EncoderStats, 0, len(es))
	for _, e := range es {
		names := []string{}
		for _, en := range entries {
			if en.encoder == e.ID && en.active {
				names = append(names, en.out.Name)
			}
		}
		if e.Idle { // its meter keeps the last second it encoded
			e.BitrateKbps, e.CPU = 0, 0
		}
		out = append(out, EncoderStats{
			ID: e.ID, Codec: e.Codec, Size: fmt.Sprintf("%dx%d", e.Width, e.Height), FPS: e.FPS, Layout: e.Layout,
			BitrateKbps: e.BitrateKbps, TargetKbps: e.TargetKbps, ConfiguredKbps: e.ConfiguredKbps,
			FloorKbps: s.adaptFloor(e.ID), OnDemand: e.OnDemand, Idle: e.Idle, Destinations: names, Skipped: e.Skipped, CPU: e.CPU,
		})
	}
	return out
}

// EncoderOf returns the id of the encoder the named destination reads
// ("" when there is no such destination).
func (s *Session) EncoderOf(name string) string {
	if e := s.find(name); e != nil {
		return e.encoder
	}
	return ""
}

// handlerFor starts the handler of o reading encoder id's stream.
func (s *Session) handlerFor(o Output, id string) (*dest.Handler, error) {
	if err := registerWorkerSecrets(o); err != nil {
		return nil, err
	}
	st := s.eng.RenditionStream(id)
	if st == nil || !slices.ContainsFunc(s.eng.Encoders(), func(e engine.EncoderStats) bool { return e.ID == id }) {
		return nil, fmt.Errorf("destination %q: no encoder %q", o.Name, id)
	}
	h := &dest.Handler{Name: o.Name, Kind: o.Kind, Worker: o.Worker, Stream: st,
		Reader: o.Reader, Logger: s.Logger, KeyFrame: func() { s.eng.RequestKeyFrameFor(id) }}
	if err := h.Initialize(); err != nil {
		return nil, err
	}
	return h, nil
}
