package session

import (
	"time"

	"golive/outputs/dest"
)

// FrameStats counts video frames through the engine.
type FrameStats struct {
	Captured uint64 `json:"captured"`
	Encoded  uint64 `json:"encoded"`
	Skipped  uint64 `json:"skipped"`
}

// AudioStats is the microphone level meter and its state.
type AudioStats struct {
	PeakDB float64 `json:"peak_db"`
	RMSDB  float64 `json:"rms_db"`
	Note   string  `json:"note,omitempty"`
}

// Stats is one snapshot of a live session, printed once a second by
// `golive live --stats json` and polled by the window. The JSON names are
// relied on by scripts and the UI.
type Stats struct {
	// ElapsedS is the stream clock in seconds: the time since the engine
	// started it (the audio and video timestamps count from there).
	ElapsedS   float64       `json:"elapsed_s"`
	FPS        float64       `json:"fps"`
	Frames     FrameStats    `json:"frames"`
	Audio      AudioStats    `json:"audio"`
	AVOffsetMs float64       `json:"av_offset_ms"`
	UploadKbps float64       `json:"upload_kbps"`
	Outputs    []dest.Status `json:"outputs"`
	// Encoders are the video encoders (the main one first) and the
	// destinations reading each.
	Encoders []EncoderStats `json:"encoders"`
	Error    string         `json:"error,omitempty"`
	Live     bool           `json:"live"`
}

// Stats returns a snapshot of the engine and every output.
func (s *Session) Stats() Stats {
	es := s.eng.Stats()
	elapsed := time.Since(s.started)
	if es.Elapsed > 0 { // the stream clock, once the engine has started it
		elapsed = es.Elapsed
	}
	st := Stats{
		ElapsedS:   elapsed.Seconds(),
		FPS:        es.FPS,
		Frames:     FrameStats{Captured: es.Captured, Encoded: es.Encoded, Skipped: es.Skipped},
		Audio:      AudioStats{PeakDB: es.AudioPeakDB, RMSDB: es.AudioRMSDB, Note: es.AudioNote},
		AVOffsetMs: float64(es.AVOffset) / float64(time.Millisecond),
	}
	entries := s.snapshot()
	st.Outputs = make([]dest.Status, 0, len(entries))
	for _, e := range entries {
		o := e.handler.Status()
		o.Encoder = e.encoder
		if n := s.adaptNote(e.out.Name, e.encoder); n != "" && e.active {
			o.Note = joinNotes(o.Note, n)
		}
		if n := s.fallbackNote(e.out.Name); n != "" && e.active {
			o.Note = joinNotes(o.Note, n)
		}
		if o.Kind != "record" {
			st.UploadKbps += o.BitrateKbps
		}
		st.Outputs = append(st.Outputs, o)
	}
	st.Encoders = s.encoderStats(entries)
	select {
	case <-s.done:
	default:
		st.Live = true
	}
	if err := s.Err(); err != nil {
		st.Error = err.Error()
	}
	redactStats(&st)
	return st
}

// joinNotes joins two notes of a destination with "; ".
func joinNotes(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}
