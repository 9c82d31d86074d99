package ui

import (
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"golive/app/profile"
	"golive/app/secret"
	"golive/media/testpeer"
	"golive/outputs/dest"
)

// allTexts is every text the window's widgets hold, shown or not.
func allTexts(o fyne.CanvasObject) string {
	var b strings.Builder
	for _, obj := range test.LaidOutObjects(o) {
		switch x := obj.(type) {
		case *widget.Label:
			b.WriteString(x.Text + "\n")
		case *canvas.Text:
			b.WriteString(x.Text + "\n")
		case *widget.RichText:
			b.WriteString(x.String() + "\n")
		case *widget.Entry:
			b.WriteString(x.Text + "\n")
		case *widget.Button:
			b.WriteString(x.Text + "\n")
		}
	}
	return b.String()
}

// noticeTexts joins every notice shown.
func noticeTexts(n *notices) string {
	var out []string
	for _, topic := range n.topics {
		out = append(out, n.Text(topic))
	}
	return strings.Join(out, "\n")
}

// TestWindowHidesEchoedKey goes live from the window (real session) to an
// RTMP server whose refusal quotes the stream key exact, URL-escaped,
// case-folded and in its ?/&-separated parts: the destination's error
// and its Details show the refusal, and no form of the key is in any of the window's
// texts or notices.
func TestWindowHidesEchoedKey(t *testing.T) {
	if testing.Short() {
		t.Skip("encodes video for a few seconds")
	}
	const key = "FB-9876543210-0-ZyXwVuTsRqP?s_bl=1&s_ps=1&a=QwErTy987654abc"
	srv := testpeer.StartEchoKeyServer(t)
	raw, store := newTestStore(t)
	p := profile.DefaultProfile()
	p.Capture = profile.Capture{Source: profile.SourceTest, Audio: profile.AudioNone}
	p.Encoder.Width, p.Encoder.Height, p.Encoder.FPS = 320, 180, 30
	p.Encoder.VideoBitrate = 300_000
	p.Destinations = []profile.Destination{{Name: "Echo", Kind: profile.KindRTMP, Enabled: true,
		RTMP: &profile.RTMP{URL: srv.URL("app"), Key: key}}}
	if err := raw.Put(p); err != nil {
		t.Fatal(err)
	}
	if err := raw.Select(p.Name); err != nil {
		t.Fatal(err)
	}
	eng := &sessionEngine{log: secret.NewLogger(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	eng.devicesOnce.Do(func() {})
	w := newTestWindowOn(t, test.NewTempApp(t), store, eng)
	test.Tap(w.action.button)
	w.bg.Wait()
	if w.phase != phaseLive {
		t.Fatalf("not live: %q", w.notices.Text("engine"))
	}
	row := w.dests.row("Echo")
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		w.tick()
		if st, ok := w.last.output("Echo"); ok && st.State == dest.StateFailed {
			break
		}
	}
	w.tick()
	if !row.errMsg.Visible() || !strings.Contains(row.errMsg.Text, "refused") {
		t.Fatalf("the destination's error is not shown: %q", row.errMsg.Text)
	}
	test.Tap(row.details)
	details := allTexts(topOverlay(t, w))
	if !strings.Contains(details, "NetStream.Publish.BadName") || !strings.Contains(details, "[REDACTED]") {
		t.Fatalf("Details do not show the server's refusal, redacted:\n%s", details)
	}
	texts := allTexts(w.win.Content()) + "\n" + row.errMsg.Text + "\n" + noticeTexts(w.notices) + "\n" + details
	for _, form := range testpeer.EchoForms(key) {
		if strings.Contains(texts, form) {
			t.Errorf("%q shows in the window:\n%s", form, texts)
		}
	}
	if keys := srv.Keys(); len(keys) == 0 || keys[0] != key {
		t.Fatalf("the server got %q, want the real key", keys)
	}
}
