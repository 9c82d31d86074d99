package engine

import (
	"testing"
	"time"
)

// TestMuteSilencesWhatIsSent: while muted the meter (which measures what
// is sent) falls to silence; unmuted, the tone is back.
func TestMuteSilencesWhatIsSent(t *testing.T) {
	e := newTestEngine(t)
	e.SetMuted(true)
	collect(t, e, 700*time.Millisecond)
	if st := e.Stats(); st.AudioPeakDB > MinDB+1 || !e.Muted() {
		t.Fatalf("muted: peak %.1f dBFS, want silence (%v)", st.AudioPeakDB, MinDB)
	}
	e2 := newTestEngine(t)
	e2.SetMuted(true)
	e2.SetMuted(false)
	collect(t, e2, 700*time.Millisecond)
	if st := e2.Stats(); st.AudioPeakDB < -45 {
		t.Fatalf("unmuted: peak %.1f dBFS, want the tone (about -41)", st.AudioPeakDB)
	}
}
