package session

import (
	"fmt"

	"golive/app/secret"
	"golive/outputs/dest"
	"golive/outputs/rtmp"
)

// SecretHolder is implemented by workers that make secrets of their own
// (an RTP target's SRTP master key): Initialize registers them with
// secret.Default before anything can print them.
type SecretHolder interface {
	Secrets() ([]string, error)
}

// registerRTMPKey registers a destination's stream key, given apart or
// inside its URL, with secret.Default.
func registerRTMPKey(url, key string) {
	secret.Register(key)
	if ep, err := rtmp.ParseURL(url, key); err == nil {
		secret.Register(ep.StreamKey)
	}
}

// registerWorkerSecrets registers the secrets an output's worker made,
// before the output starts.
func registerWorkerSecrets(o Output) error {
	h, ok := o.Worker.(SecretHolder)
	if !ok {
		return nil
	}
	vals, err := h.Secrets()
	if err != nil {
		return err
	}
	secret.Register(vals...)
	return nil
}

// redactStats hides every registered secret, in any of its forms, in the
// text fields of a snapshot: servers echo keys in their error texts.
func redactStats(st *Stats) {
	st.Error = secret.Redact(st.Error)
	st.Audio.Note = secret.Redact(st.Audio.Note)
	for i := range st.Outputs {
		redactStatus(&st.Outputs[i])
	}
}

// redactStatus hides secrets in a destination's texts. The name stays: it
// is the user's own label and the key the window finds its row by.
func redactStatus(o *dest.Status) {
	o.LastError = secret.Redact(o.LastError)
	if o.Detail != nil {
		o.Detail = redactMap(o.Detail)
	}
}

func redactMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		switch x := v.(type) {
		case string:
			out[k] = secret.Redact(x)
		case map[string]any:
			out[k] = redactMap(x)
		default:
			out[k] = v
		}
	}
	return out
}

// spaceWarner is implemented by recordings: a warning when the disk holds
// less than about 30 minutes at the stream's bitrate.
type spaceWarner interface {
	SpaceWarning(bitrate int) string
}

// checkSpace logs and keeps a recording's free-space warning, before
// going live.
func (s *Session) checkSpace(o Output) {
	w, ok := o.Worker.(spaceWarner)
	if !ok {
		return
	}
	if msg := w.SpaceWarning(s.Engine.VideoBitrate + s.Engine.AudioBitrate); msg != "" {
		// For people it is a line of its own (Warnings: `golive live`
		// prints it, the window's Go Live check shows it); the log
		// keeps it at info level.
		s.Logger.Info("recording: "+msg, "dest", o.Name)
		s.mu.Lock()
		s.warnings = append(s.warnings, fmt.Sprintf("recording %q: %s", o.Name, msg))
		s.mu.Unlock()
	}
}

// Warnings returns what the user should know before or while going live
// (a recording folder short of space, encoders beyond the machine's
// cores), redacted, one sentence each.
func (s *Session) Warnings() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.warnings))
	for i, w := range s.warnings {
		out[i] = secret.Redact(w)
	}
	return out
}
