package session

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"golive/outputs/dest"
)

// fbPhase is a stretch of a simulated path: "calm" (nothing waits),
// "backlog" (the queue grows 100 ms a reading), "drops" (a small queue
// that drops a frame every other reading), "blip" (one drop, then calm),
// "lossy" (the transport reports 20 % of its packets lost: SRT), "down"
// (not connected).
type fbPhase struct {
	d    time.Duration
	path string
}

// fbSim feeds a controller readings every adaptTick along phases and
// returns its moves as "fall@S" / "return@S" (seconds from the start,
// one decimal).
func fbSim(t FallbackTiming, phases []fbPhase) []string {
	f := newFallbackCtl(t)
	start := time.Unix(1_000_000, 0)
	now := start
	var s dest.PathSample
	s.Live = true
	var moves []string
	for _, p := range phases {
		for end, i := now.Add(p.d), 0; now.Before(end); now, i = now.Add(adaptTick), i+1 {
			s.At, s.Live = now, p.path != "down"
			s.Acked += 150_000 / 4 // 1.2 Mbit/s
			s.Queue, s.Unacked = 0, 10_000
			s.Sent += 100
			if p.path == "lossy" {
				s.Lost += 20
			}
			switch p.path {
			case "backlog":
				s.Queue = min(2*time.Second, time.Duration(i+1)*100*time.Millisecond)
				s.Unacked = 200_000
			case "drops":
				s.Queue = 50 * time.Millisecond
				if i%2 == 0 {
					s.Dropped++
				}
			case "blip":
				if i == 0 {
					s.Dropped++
				}
			}
			switch f.step(s) {
			case fbFall:
				moves = append(moves, fmt.Sprintf("fall@%.1f", now.Sub(start).Seconds()))
			case fbReturn:
				moves = append(moves, fmt.Sprintf("return@%.1f", now.Sub(start).Seconds()))
			}
		}
	}
	return moves
}

func TestFallbackDecisions(t *testing.T) {
	short := FallbackTiming{Recover: 5 * time.Second, Probe: 3 * time.Second, MaxHold: 12 * time.Second}
	for _, tc := range []struct {
		name   string
		timing FallbackTiming
		phases []fbPhase
		want   string
	}{
		{"a calm path stays", FallbackTiming{}, []fbPhase{{60 * time.Second, "calm"}}, ""},
		{"one drop is not a reason", FallbackTiming{}, []fbPhase{{2 * time.Second, "calm"}, {time.Second, "blip"},
			{time.Second, "blip"}, {20 * time.Second, "calm"}}, ""},
		{"not connected: nothing to read", FallbackTiming{}, []fbPhase{{20 * time.Second, "down"}}, ""},
		{"a growing backlog falls back within 1.5 s", FallbackTiming{},
			[]fbPhase{{2 * time.Second, "calm"}, {30 * time.Second, "backlog"}}, "fall@3.2"},
		{"a lossy path falls back", FallbackTiming{},
			[]fbPhase{{2 * time.Second, "calm"}, {10 * time.Second, "lossy"}}, "fall@3.8"},
		{"repeated drops fall back", FallbackTiming{},
			[]fbPhase{{2 * time.Second, "calm"}, {10 * time.Second, "drops"}}, "fall@4.5"},
		{"back after Recover calm (default 30 s)", FallbackTiming{},
			[]fbPhase{{2 * time.Second, "calm"}, {3 * time.Second, "backlog"}, {60 * time.Second, "calm"}}, "fall@3.2 return@34.8"},
		{"congestion on the fallback restarts the wait", short,
			[]fbPhase{{2 * time.Second, "calm"}, {3 * time.Second, "backlog"}, {3 * time.Second, "calm"},
				{time.Second, "blip"}, {10 * time.Second, "calm"}}, "fall@3.2 return@13.0"},
		{"failed returns double the wait up to MaxHold", short,
			// Fall 1.25 s into the backlog; return Recover after the last
			// congestion (4.75); a backlog 1.25 s after it (within Probe):
			// the wait doubles to 10 s, then to 12 (MaxHold), not 20.
			[]fbPhase{{2 * time.Second, "calm"}, {3 * time.Second, "backlog"}, {6 * time.Second, "calm"},
				{3 * time.Second, "backlog"}, {11 * time.Second, "calm"},
				{3 * time.Second, "backlog"}, {13 * time.Second, "calm"},
				{5 * time.Second, "calm"}},
			"fall@3.2 return@9.8 fall@12.2 return@23.8 fall@26.2 return@39.8"},
		{"a return that holds resets the wait", short,
			// The return at 23.8 holds past Probe: the next wait is 5 s again.
			[]fbPhase{{2 * time.Second, "calm"}, {3 * time.Second, "backlog"}, {6 * time.Second, "calm"},
				{3 * time.Second, "backlog"}, {11 * time.Second, "calm"},
				{5 * time.Second, "calm"},
				{3 * time.Second, "backlog"}, {7 * time.Second, "calm"}},
			"fall@3.2 return@9.8 fall@12.2 return@23.8 fall@31.2 return@37.8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := strings.Join(fbSim(tc.timing, tc.phases), " "); got != tc.want {
				t.Errorf("moves %q, want %q", got, tc.want)
			}
		})
	}
}

func TestFallbackTimingDefaults(t *testing.T) {
	d := FallbackTiming{}.withDefaults()
	if d.Window != 3*time.Second || d.Bad != 6 || d.Recover != 30*time.Second || d.Probe != 10*time.Second || d.MaxHold != 5*time.Minute {
		t.Errorf("defaults %+v", d)
	}
	if m := (FallbackTiming{Recover: 10 * time.Minute}).withDefaults().MaxHold; m != 10*time.Minute {
		t.Errorf("MaxHold %v below Recover", m)
	}
}

func TestFallbackUndo(t *testing.T) {
	f := newFallbackCtl(FallbackTiming{})
	f.fallen = true
	f.undo()
	if f.fallen || !f.returnedAt.IsZero() {
		t.Errorf("undo of a fall: %+v", f)
	}
}
