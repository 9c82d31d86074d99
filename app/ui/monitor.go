package ui

import (
	"golive/app/profile"
	"golive/media/engine"
)

// The level meter before going live: while idle the window monitors the
// selected audio source (nothing is encoded or sent), as OBS's mixer
// does; the monitor is closed before going live, so the stream can open
// the device, and opened again when the stream ends.

// LevelMonitor measures the audio source's level.
type LevelMonitor interface {
	// Levels returns peak and RMS in dBFS and a note on a degraded
	// source ("no microphone found").
	Levels() (peakDB, rmsDB float64, note string)
	Close()
}

// Monitorer is implemented by engines that can monitor the audio source
// while not live.
type Monitorer interface {
	MonitorAudio(c profile.Capture) (LevelMonitor, error)
}

// MonitorAudio starts measuring the capture's audio source.
func (e *sessionEngine) MonitorAudio(c profile.Capture) (LevelMonitor, error) {
	m := &engine.MicMonitor{Audio: engine.AudioSourceConfig{Kind: c.Audio, Device: c.AudioDevice}, Logger: e.log}
	if err := m.Initialize(); err != nil {
		return nil, err
	}
	return m, nil
}

// monitorRate is the meter's refresh rate while idle (ticks a second).
const monitorRate = 10

// updateMonitor (re)starts the monitor for the current audio source while
// idle, and stops it otherwise.
func (w *mainWindow) updateMonitor() {
	mon, ok := w.engine.(Monitorer)
	key := w.prof.Capture.Audio + "\x00" + w.prof.Capture.AudioDevice
	want := ok && w.phase == phaseIdle && !w.stopped && w.prof.Capture.Audio != profile.AudioNone
	if w.monitor != nil && (!want || key != w.monitorKey) {
		w.monitor.Close()
		w.monitor = nil
	}
	if !want || w.monitor != nil {
		return
	}
	m, err := mon.MonitorAudio(w.prof.Capture)
	if err != nil {
		w.log.Warn("audio level monitor", "err", err)
		return
	}
	w.monitor, w.monitorKey = m, key
	w.rate.Store(monitorRate)
}

// stopMonitor closes the monitor (going live, quitting).
func (w *mainWindow) stopMonitor() {
	if w.monitor != nil {
		w.monitor.Close()
		w.monitor = nil
	}
}

// showMonitor shows the monitored level on the meter.
func (w *mainWindow) showMonitor() {
	if w.monitor == nil {
		return
	}
	peak, _, note := w.monitor.Levels()
	w.sources.update(Stats{PeakDB: peak, AudioNote: note})
}
