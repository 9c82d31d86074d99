package session

import (
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

// registerWorkerSecrets registers the secrets the outputs made.
func (s *Session) registerWorkerSecrets() error {
	for _, o := range s.Outputs {
		if h, ok := o.Worker.(SecretHolder); ok {
			vals, err := h.Secrets()
			if err != nil {
				return err
			}
			secret.Register(vals...)
		}
	}
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

func redactStatus(o *dest.Status) {
	o.Name = secret.Redact(o.Name)
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
