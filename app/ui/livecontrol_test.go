package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"golive/app/profile"
	"golive/app/session"
	"golive/outputs/dest"
)

func rtmpDest(name, app string, enabled bool) profile.Destination {
	return profile.Destination{Name: name, Kind: profile.KindRTMP, Enabled: enabled,
		RTMP: &profile.RTMP{Service: "custom", URL: "rtmp://127.0.0.1:1935/" + app, Key: "key_" + strings.ToLower(name)}}
}

// liveWindow opens the window on a profile of three RTMP destinations
// (C disabled) and goes live.
func liveWindow(t *testing.T) (*mainWindow, *fakeEngine, *profile.Store) {
	t.Helper()
	raw, store := newTestStore(t)
	p := profile.DefaultProfile()
	p.Name = "Three"
	p.Capture = profile.Capture{Source: profile.SourceTest, Audio: profile.AudioNone}
	p.Destinations = []profile.Destination{rtmpDest("A", "live", true), rtmpDest("B", "live2", true), rtmpDest("C", "live3", false)}
	if err := raw.Put(p); err != nil {
		t.Fatal(err)
	}
	if err := raw.Select("Three"); err != nil {
		t.Fatal(err)
	}
	eng := &fakeEngine{}
	w := newTestWindow(t, store, eng)
	test.Tap(w.action.button)
	w.bg.Wait()
	if w.phase != phaseLive {
		t.Fatalf("not live: %q", w.notices.Text("engine"))
	}
	w.tick()
	return w, eng, raw
}

func wantCalls(t *testing.T, l *fakeLive, want ...string) {
	t.Helper()
	if got := l.callLog(); strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Fatalf("live calls %q, want %q", got, want)
	}
}

// TestLiveControlPerRow: while live each row stops and starts on its own,
// a destination switched on, added, edited or removed reaches the running
// stream, and the encoder settings stay locked.
func TestLiveControlPerRow(t *testing.T) {
	w, eng, raw := liveWindow(t)
	a := w.dests.row("A")
	if !a.toggle.Visible() || a.toggle.Text != labelStop || a.toggle.Disabled() {
		t.Fatalf("live row A: toggle %q visible %v", a.toggle.Text, a.toggle.Visible())
	}
	if !w.encoder.vrate.Disabled() || w.dests.add.Disabled() || a.edit.Disabled() {
		t.Fatal("while live the encoder must be locked and destinations editable")
	}
	if !w.encoder.lockNote.Visible() || !strings.Contains(w.encoder.lockNote.Text, "need a new encoder") {
		t.Fatal("the locked encoder settings do not say why")
	}
	test.Tap(a.toggle)
	w.bg.Wait()
	w.tick()
	wantCalls(t, eng.live, "stop A")
	if a.state.Text != "stopped" || a.toggle.Text != labelStart {
		t.Fatalf("after Stop: badge %q, button %q", a.state.Text, a.toggle.Text)
	}
	if b := w.dests.row("B"); b.state.Text != "live" {
		t.Fatalf("B shows %q after A stopped", b.state.Text)
	}
	test.Tap(a.toggle)
	w.bg.Wait()
	w.tick()
	if a.state.Text != "live" {
		t.Fatalf("after Start: badge %q", a.state.Text)
	}

	tapCheck(w.dests.row("C").enable) // switched on while live: added
	w.bg.Wait()

	test.Tap(w.dests.row("B").edit)
	dd := w.lastDestDialog
	dd.key.SetText("new_key_b")
	test.Tap(dd.save)
	w.bg.Wait()

	test.Tap(w.dests.row("B").remove)
	if msg := overlayText(topOverlay(t, w)); !strings.Contains(msg, "other destinations stay live") {
		t.Fatalf("remove while live asks %q", msg)
	}
	test.Tap(findButton(t, topOverlay(t, w), "Yes"))
	w.bg.Wait()

	test.Tap(w.dests.add)
	dd = w.lastDestDialog
	test.Type(dd.name, "D")
	test.Type(dd.server, "rtmp://127.0.0.1:1935/live4")
	test.Type(dd.key, "key_d")
	test.Tap(dd.save)
	w.bg.Wait()
	wantCalls(t, eng.live, "stop A", "start A", "add C", "update B", "remove B", "add D")
	got, _ := raw.Get("Three")
	if d, _ := got.Destination("C"); !d.Enabled || len(got.Destinations) != 3 {
		t.Fatalf("profile after live edits: %+v", got.Destinations)
	}
	w.tick()
	for _, name := range []string{"A", "C", "D"} {
		if r := w.dests.row(name); r.state.Text != "live" {
			t.Errorf("%s shows %q", name, r.state.Text)
		}
	}
}

// TestLiveControlErrorOnTheRow: a change the running encoders cannot
// serve is explained on the row, in words, with what to do.
func TestLiveControlErrorOnTheRow(t *testing.T) {
	w, eng, _ := liveWindow(t)
	eng.live.mu.Lock()
	eng.live.ctlErr = session.ErrNeedsRestart
	eng.live.mu.Unlock()
	tapCheck(w.dests.row("C").enable)
	w.bg.Wait()
	c := w.dests.row("C")
	if !c.errMsg.Visible() || !strings.Contains(c.errMsg.Text, "end the stream and go live again") {
		t.Fatalf("row C says %q (visible %v)", c.errMsg.Text, c.errMsg.Visible())
	}
	if a := w.dests.row("A"); a.errMsg.Visible() {
		t.Fatalf("row A shows C's error: %q", a.errMsg.Text)
	}
}

// TestRetryOnlyWhileWaiting: Retry now is offered only while the
// destination waits to reconnect, and reaches the session.
func TestRetryOnlyWhileWaiting(t *testing.T) {
	w, eng, _ := liveWindow(t)
	a := w.dests.row("A")
	if a.retry.Visible() {
		t.Fatal("Retry now shown on a live destination")
	}
	eng.live.setStats(Stats{Outputs: []dest.Status{{Name: "A", State: dest.StateReconnecting, RetryInS: 9,
		LastError: "connect to 127.0.0.1:1935: dial tcp 127.0.0.1:1935: connect: connection refused"}}})
	w.tick()
	if !a.retry.Visible() || a.retry.Disabled() {
		t.Fatal("no Retry now while reconnecting")
	}
	test.Tap(a.retry)
	if len(eng.live.retried) != 1 || eng.live.retried[0] != "A" {
		t.Fatalf("retry sent %v", eng.live.retried)
	}
}
