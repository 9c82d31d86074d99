package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"golive/app/session"
)

// superviseLive prints stats once a second until the stream should end,
// then closes the session cleanly (recordings finalized, outputs closed).
func superviseLive(ctx context.Context, s *session.Session, f *liveFlags, env Env) error {
	var deadline <-chan time.Time
	if f.duration > 0 {
		t := time.NewTimer(f.duration)
		defer t.Stop()
		deadline = t.C
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	enc := json.NewEncoder(env.Stdout)
	for {
		select {
		case <-ctx.Done():
			s.Close()
			printStats(env, enc, f.stats, s.Stats())
			return nil
		case <-deadline:
			s.Close()
			printStats(env, enc, f.stats, s.Stats())
			return nil
		case <-s.Done():
			err := s.Err()
			s.Close()
			printStats(env, enc, f.stats, s.Stats())
			if err != nil {
				return fmt.Errorf("stream ended: %w", err)
			}
			return nil
		case <-tick.C:
			printStats(env, enc, f.stats, s.Stats())
		}
	}
}

func printStats(env Env, enc *json.Encoder, mode string, st session.Stats) {
	switch mode {
	case "json":
		if err := enc.Encode(st); err != nil {
			env.Logger.Warn("cannot write stats", "err", err)
		}
	case "text":
		fmt.Fprintln(env.Stdout, statsLine(st))
	}
}

// statsLine is the one-line human summary of a stats snapshot.
func statsLine(st session.Stats) string {
	var b strings.Builder
	el := time.Duration(st.ElapsedS * float64(time.Second)).Round(time.Second)
	fmt.Fprintf(&b, "%s %.1f fps, %d encoded, %d skipped, upload %.0f kbps",
		el, st.FPS, st.Frames.Encoded, st.Frames.Skipped, st.UploadKbps)
	for _, o := range st.Outputs {
		fmt.Fprintf(&b, " | %s: %s %.0f kbps", o.Name, o.State, o.BitrateKbps)
		if o.Dropped > 0 {
			fmt.Fprintf(&b, " dropped %d", o.Dropped)
		}
		if o.RetryInS > 0 {
			fmt.Fprintf(&b, " retry in %.0fs", o.RetryInS)
		}
		if o.LastError != "" {
			fmt.Fprintf(&b, " (%s)", o.LastError)
		}
		if o.Note != "" {
			fmt.Fprintf(&b, " [%s]", o.Note)
		}
	}
	if st.Audio.Note != "" {
		fmt.Fprintf(&b, " | audio: %s", st.Audio.Note)
	}
	return b.String()
}
