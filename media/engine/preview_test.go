package engine

import (
	"testing"
	"time"
)

// TestPreviewFollowsTheCallerRate: a window asking once a second gets a
// picture converted about once a second (just before it asks), one asking
// faster than ten times a second gets ten, and a pause starts over.
func TestPreviewFollowsTheCallerRate(t *testing.T) {
	var p previewer
	t0 := time.Unix(1000, 0)
	if got := p.refreshPeriod(); got != previewPeriod {
		t.Fatalf("before any call: every %v, want %v", got, previewPeriod)
	}
	for i := range 8 {
		p.noteAsk(t0.Add(time.Duration(i) * time.Second))
	}
	if got, want := p.refreshPeriod(), time.Second-previewLead; got != want {
		t.Errorf("asked every 1 s: converts every %v, want %v", got, want)
	}
	t1 := t0.Add(7 * time.Second)
	for i := range 40 {
		p.noteAsk(t1.Add(time.Duration(i) * 50 * time.Millisecond))
	}
	if got := p.refreshPeriod(); got != previewPeriod {
		t.Errorf("asked every 50 ms: converts every %v, want %v", got, previewPeriod)
	}
	p.noteAsk(t1.Add(time.Minute))
	if got := p.refreshPeriod(); got != previewPeriod {
		t.Errorf("after a pause: converts every %v, want %v", got, previewPeriod)
	}
	if !p.wanted(t1.Add(time.Minute + time.Second)) {
		t.Error("a picture asked for a second ago is not wanted")
	}
}
