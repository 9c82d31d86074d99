package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"golive/outputs/dest"
)

// TestFiguresSeparateOfflineFromNetworkDrops: drops while a destination
// is offline are not network drops, the 1-minute average is bytes over the
// last minute, the colour is red only while drops happen, and a restart
// of the destination keeps the stream's totals.
func TestFiguresSeparateOfflineFromNetworkDrops(t *testing.T) {
	var f figures
	t0 := time.Unix(1000, 0)
	st := dest.Status{State: dest.StateLive}
	at := 0
	poll := func(state dest.State, frames, drops uint64) {
		at++
		st.State = state
		st.FramesSent += frames
		st.Dropped += drops
		if state == dest.StateLive {
			st.Bytes += 125_000 // 1000 kb/s
		}
		f.add(t0.Add(time.Duration(at)*time.Second), st)
	}
	for range 10 {
		poll(dest.StateLive, 30, 0)
	}
	for range 20 {
		poll(dest.StateReconnecting, 0, 30)
	}
	if f.netDrops != 0 || f.offDrops != 600 || f.offline != 19*time.Second {
		t.Fatalf("offline: network drops %d, offline drops %d, offline %v", f.netDrops, f.offDrops, f.offline)
	}
	if lv := f.recentLevel(); lv != levelNormal {
		t.Fatalf("offline drops coloured %v", lv)
	}
	poll(dest.StateLive, 30, 0)
	poll(dest.StateLive, 25, 5)
	if f.netDrops != 5 || f.recentLevel() != levelDanger {
		t.Fatalf("network drops %d, level %v: want 5, danger while dropping", f.netDrops, f.recentLevel())
	}
	for range 12 {
		poll(dest.StateLive, 30, 0)
	}
	if f.recentLevel() != levelNormal || f.netDrops != 5 {
		t.Fatalf("10 s after the drops: level %v (want normal), drops %d", f.recentLevel(), f.netDrops)
	}
	st = dest.Status{State: dest.StateLive} // the destination restarted: counters from zero
	poll(dest.StateLive, 30, 0)
	if f.frames() != 10*30+30+25+12*30+30 {
		t.Fatalf("frames %d after a restart", f.frames())
	}
	// Since the first poll (44 s, under a minute): 24 s at 1000 kb/s.
	if kbps := f.avgKbps(); kbps < 540 || kbps > 550 {
		t.Fatalf("average %.0f kb/s, want 24 s of 1000 kb/s over 44 s (545)", kbps)
	}
	if s := f.summary(); !strings.Contains(s, "offline 0:20") || !strings.Contains(s, "network drops 5") {
		t.Fatalf("summary %q", s)
	}
}

// TestFiguresInTheWindow: the status bar counts network drops only, and
// each destination's summary stays on its row after End Stream.
func TestFiguresInTheWindow(t *testing.T) {
	w, eng, _ := liveWindow(t)
	for i := range 3 {
		eng.live.setStats(Stats{ElapsedS: float64(i), Outputs: []dest.Status{
			{Name: "A", State: dest.StateLive, FramesSent: uint64(30 * i), Bytes: uint64(100_000 * i)},
			{Name: "B", State: dest.StateReconnecting, Dropped: uint64(300 * i), RetryInS: 4,
				LastError: "connect to 127.0.0.1:1935: connection refused"}}})
		w.tick()
	}
	if got := w.status.dropped.Text; got != "Network drops 0 (0.0%)" || w.status.dropped.Importance != importance(levelNormal) {
		t.Fatalf("status bar %q: a destination offline is not a network drop", got)
	}
	b := w.dests.row("B")
	if !strings.Contains(b.errMsg.Text, "refused the connection") || b.state.Text != "reconnecting in 4s" {
		t.Fatalf("row B: %q / %q", b.state.Text, b.errMsg.Text)
	}
	test.Tap(w.action.button)
	test.Tap(findButton(t, topOverlay(t, w), labelEnd))
	w.bg.Wait()
	if w.phase != phaseIdle {
		t.Fatal("did not end")
	}
	for _, name := range []string{"A", "B"} {
		if r := w.dests.row(name); !r.note.Visible() || !strings.HasPrefix(r.note.Text, "Last stream:") {
			t.Fatalf("row %s after End Stream: %q", name, r.note.Text)
		}
	}
}

// TestRecordingDropsAreNotNetworkDrops: a recording's drops (the disk did
// not keep up) read "drops" on its row and stay out of the status bar's
// network drops; a network destination's read "network drops".
func TestRecordingDropsAreNotNetworkDrops(t *testing.T) {
	var rec, net figures
	t0 := time.Unix(1000, 0)
	for i := range 3 {
		now := t0.Add(time.Duration(i) * time.Second)
		rec.add(now, dest.Status{Kind: "record", State: dest.StateLive, FramesSent: uint64(30 * i), Dropped: uint64(5 * i)})
		net.add(now, dest.Status{Kind: "rtmp", State: dest.StateLive, FramesSent: uint64(30 * i), Dropped: uint64(2 * i)})
	}
	if got := rec.dropText(); got != "drops 10 (14.3%)" {
		t.Fatalf("recording: %q", got)
	}
	if got := net.dropText(); got != "network drops 4 (6.2%)" {
		t.Fatalf("rtmp destination: %q", got)
	}
	l := &destList{figs: map[string]*figures{"Disk": &rec, "Twitch": &net}}
	if d := l.networkDrops(); d.drops != 4 || d.frames != 60 {
		t.Fatalf("status bar network drops %d, frames %d, want 4 and 60 frames (the recording's left out)", d.drops, d.frames)
	}
}
