package ui

import (
	"image"

	"golive/app/profile"
	"golive/outputs/dest"
)

// Store is the part of the profile store the window uses. The real one
// is profile.Store (see store.go); tests can pass their own.
type Store interface {
	// List returns the profile names, sorted.
	List() []string
	Get(name string) (profile.Profile, error)
	// Put saves p under p.Name, replacing any profile of that name.
	Put(p profile.Profile) error
	Delete(name string) error
	Rename(from, to string) error
	// Export writes the named profile to path, with its stream keys
	// only when withKeys.
	Export(name, path string, withKeys bool) error
	// Import reads a profile from path and returns the name it got; a
	// name in use fails with profile.ErrExists unless opt renames or
	// replaces.
	Import(path string, opt profile.ImportOptions) (string, error)
	// Selected is the profile chosen last (kept across runs).
	Selected() string
	Select(name string) error
}

// Engine starts live sessions and describes the machine.
type Engine interface {
	// Start goes live with p; the returned session runs until Close or
	// an engine error.
	Start(p profile.Profile) (Live, error)
	// Devices lists screens, microphones and video encoders.
	Devices() Devices
	// Check returns warnings about p that do not prevent going live
	// (a service's bitrate or resolution limits); nil when none.
	Check(p profile.Profile) []string
}

// Devices is what the source and encoder pickers offer.
type Devices struct {
	Screens     []Screen
	Microphones []string
	Encoders    []string
}

// Screen is a capturable screen: a whole display, or one monitor of it.
type Screen struct {
	// Label is what the picker shows ("DP-1", "screen 0").
	Label string
	// Display is the profile's capture display (":0.0").
	Display string
	// Region is the monitor's "X,Y,W,H", or "" for the whole display.
	Region string
	// Size is the whole display's size in pixels (zero when unknown):
	// a region must lie inside it.
	Size image.Point
}

// Live is one running stream, as the window sees it.
type Live interface {
	// Stats returns a snapshot; the window polls it about once a second.
	Stats() Stats
	// RetryNow makes the named destination reconnect at once.
	RetryNow(name string) bool
	// Done is closed when the stream ended (Close or an engine error).
	Done() <-chan struct{}
	// Err is the engine error that ended the stream, if any.
	Err() error
	// Close ends the stream cleanly and waits.
	Close()
	// Preview returns the latest captured picture, scaled down.
	Preview() (*image.RGBA, bool)
	// SDPPath writes (if needed) and returns the SDP file of an RTP
	// destination.
	SDPPath(name string) (string, error)
	// OpenInVLC starts VLC on an RTP destination.
	OpenInVLC(name string) error

	// Live control (see session.Session): each call changes one
	// destination of the running stream, may block while a connection
	// closes, and is called off Fyne's goroutine.

	// StartOutput starts a stopped destination again.
	StartOutput(name string) error
	// StopOutput stops one destination; the others go on.
	StopOutput(name string) error
	// AddOutput adds and starts a destination.
	AddOutput(d profile.Destination) error
	// UpdateOutput restarts a destination with new settings.
	UpdateOutput(d profile.Destination) error
	// RemoveOutput stops a destination and forgets it.
	RemoveOutput(name string) error
}

// Muter is implemented by sessions that may be able to mute the
// microphone live; CanMute says whether this one can.
type Muter interface {
	CanMute() bool
	SetMuted(muted bool)
}

// muter returns l as a Muter when it can mute.
func muter(l Live) (Muter, bool) {
	m, ok := l.(Muter)
	if !ok || !m.CanMute() {
		return nil, false
	}
	return m, true
}

// Stats is the snapshot of a live stream that the window displays.
type Stats struct {
	ElapsedS float64
	// FPS is the measured capture rate.
	FPS float64
	// Width and Height are the capture's resolution, when known.
	Width, Height int
	Captured      uint64
	Encoded       uint64
	Skipped       uint64
	PeakDB        float64
	RMSDB         float64
	// AudioNote explains the audio source ("no microphone: silence").
	AudioNote string
	// UploadKbps is the sum of the network destinations' bitrates.
	UploadKbps float64
	Outputs    []dest.Status
	// Error is the engine error that stopped the stream.
	Error string
}

// output returns the status of the named destination.
func (s Stats) output(name string) (dest.Status, bool) {
	for _, o := range s.Outputs {
		if o.Name == name {
			return o, true
		}
	}
	return dest.Status{}, false
}
