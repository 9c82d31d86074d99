package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"golive/app/profile"
)

// TestDestinationDialogChecksFallback: the dialog's Fallback field takes
// another destination's name or a rendition written out, and refuses the
// destination itself or a name no destination has, with the field's
// message.
func TestDestinationDialogChecksFallback(t *testing.T) {
	_, store := newTestStore(t)
	w := newTestWindow(t, store, &fakeEngine{})
	small := rtmpDest("Small", "app", true)
	small.Video = &profile.Video{Width: 854, Height: 480, VideoBitrate: 600_000}
	for _, d := range []profile.Destination{rtmpDest("Twitch", "app", true), small} {
		if err := w.dests.put(-1, d); err != nil {
			t.Fatal(err)
		}
	}
	dd := editVideo(t, w, "Twitch")
	for _, tc := range []struct{ value, err string }{
		{"Small", ""},
		{"854x480@30 600k", ""},
		{"Twitch", "is this destination itself"},
		{"nowhere", "no destination of that name"},
	} {
		dd.video.fallback.SetText("")
		test.Type(dd.video.fallback, tc.value)
		if tc.err == "" && (dd.save.Disabled() || dd.video.fallback.Validate() != nil) {
			t.Errorf("fallback %q refused: %q", tc.value, dd.msg.Text)
		}
		if tc.err != "" && (!dd.save.Disabled() || !strings.Contains(dd.msg.Text, tc.err) || dd.video.fallback.Validate() == nil) {
			t.Errorf("fallback %q: Save disabled %v, message %q; want %q on the field", tc.value, dd.save.Disabled(), dd.msg.Text, tc.err)
		}
	}
}
