package ui

import (
	"sync"
	"testing"

	"fyne.io/fyne/v2/test"

	"golive/app/profile"
)

// monitorEngine is a fakeEngine that can monitor the audio source.
type monitorEngine struct {
	fakeEngine
	mu     sync.Mutex
	opened []string
	open   int
}

type fakeMonitor struct{ e *monitorEngine }

func (m fakeMonitor) Levels() (float64, float64, string) { return -12, -20, "" }
func (m fakeMonitor) Close()                             { m.e.mu.Lock(); m.e.open--; m.e.mu.Unlock() }

func (e *monitorEngine) MonitorAudio(c profile.Capture) (LevelMonitor, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.opened = append(e.opened, c.Audio+":"+c.AudioDevice)
	e.open++
	return fakeMonitor{e}, nil
}

// TestLevelMeterBeforeGoingLive: while idle the meter shows the selected
// source's level; the monitor follows the audio choice, is closed before
// the stream opens the device and comes back after End Stream.
func TestLevelMeterBeforeGoingLive(t *testing.T) {
	_, store := newTestStore(t)
	eng := &monitorEngine{fakeEngine: fakeEngine{devices: Devices{Microphones: []string{"USB Mic"}, Encoders: []string{"libx264"}}}}
	w := newTestWindow(t, store, eng)
	w.sources.audio.SetSelected(optTestTone)
	w.tickFast()
	if w.monitor == nil || w.sources.meter.peakDB != -12 {
		t.Fatalf("idle meter at %.0f dB (monitor %v), want the source's -12 dB", w.sources.meter.peakDB, w.monitor != nil)
	}
	w.sources.audio.SetSelected(optSilence)
	if w.monitor != nil || eng.open != 0 {
		t.Fatalf("silence selected: monitor still open (%d open)", eng.open)
	}
	w.sources.audio.SetSelected(optTestTone)
	test.Tap(w.action.button)
	w.bg.Wait()
	if w.phase != phaseLive || eng.open != 0 {
		t.Fatalf("live with %d monitors open: the stream must have the device", eng.open)
	}
	w.endStream(nil)
	w.bg.Wait()
	if w.phase != phaseIdle || eng.open != 1 {
		t.Fatalf("after End Stream: phase %v, %d monitors open", w.phase, eng.open)
	}
}
