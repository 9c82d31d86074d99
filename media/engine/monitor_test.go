package engine

import (
	"testing"
	"time"

	"github.com/gen2brain/malgo"
	"go.uber.org/goleak"

	"golive/media/capture"
)

// TestMicMonitorLevels: the monitor measures the test tone's level, a
// machine without a microphone gives silence and says so, and Close
// stops everything.
func TestMicMonitorLevels(t *testing.T) {
	defer goleak.VerifyNone(t)
	m := &MicMonitor{Audio: AudioSourceConfig{Kind: KindTest}}
	if err := m.Initialize(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		peak, _, _ := m.Levels()
		if peak > -30 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("test tone measured at %.1f dBFS", peak)
		}
		time.Sleep(20 * time.Millisecond)
	}
	m.Close()

	// The null backend: a microphone that captures silence.
	quiet := &MicMonitor{Audio: AudioSourceConfig{Kind: KindMic}, backends: []malgo.Backend{capture.BackendNull}}
	if err := quiet.Initialize(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	if peak, rms, _ := quiet.Levels(); peak > -90 || rms > -90 {
		t.Fatalf("silent microphone measured at %.1f/%.1f dBFS", peak, rms)
	}
	quiet.Close()
	quiet.Close()
}
