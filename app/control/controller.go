// Package control is GoLive's remote control: a WebSocket server that
// speaks the obs-websocket 5 protocol
// (https://github.com/obsproject/obs-websocket/blob/master/docs/generated/protocol.md),
// so that Stream Decks, Touch Portal, Streamer.bot and scripts written for
// OBS drive GoLive unchanged, and the Prometheus metrics of a running
// stream. Every destination of the current profile is an obs-websocket
// output, by its name. The server drives the stream through Controller;
// Director implements it over app/session for `golive serve`.
//
// The API never returns a stream key: outputs are described by name, kind
// and figures only, and every comment sent to a client is redacted.
package control

import (
	"errors"
	"time"
)

// Controller is what the remote control can do to a stream. Its methods
// are called from the connections' goroutines, concurrently.
type Controller interface {
	// Profiles returns the current profile and every profile name.
	Profiles() (current string, names []string)
	// SetCurrentProfile makes name the current profile.
	SetCurrentProfile(name string) error
	// StartStream starts every enabled streaming destination (not the
	// recordings); StopStream stops them.
	StartStream() error
	StopStream() error
	// Stream is the state of the streaming destinations taken together.
	Stream() OutputState
	// StartRecord starts every recording destination; StopRecord stops
	// them and returns the path of the (first) recording.
	StartRecord() error
	StopRecord() (path string, err error)
	// Record is the state of the recording destinations taken together.
	Record() OutputState
	// Outputs lists every destination of the current profile.
	Outputs() []OutputState
	// StartOutput and StopOutput start and stop one destination.
	StartOutput(name string) error
	StopOutput(name string) error
	// Engine returns the capture and encoder figures.
	Engine() EngineStats
	// Subscribe calls fn for every event until cancel is called. fn must
	// not block.
	Subscribe(fn func(Event)) (cancel func())
}

// OutputState describes one destination, or a group of them.
type OutputState struct {
	Name string
	// Kind is "rtmp", "rtp", "record" (or "stream" for the group).
	Kind    string
	Enabled bool
	// Active is true from StartOutput until StopOutput.
	Active       bool
	Reconnecting bool
	// State is the destination's own state (live, reconnecting, ...).
	State      string
	Duration   time.Duration
	Bytes      uint64
	Congestion float64
	Skipped    uint64
	Total      uint64
	Width      int
	Height     int
	// Path is a recording's file.
	Path      string
	LastError string
}

// EngineStats are the capture and encoder figures.
type EngineStats struct {
	FPS      float64
	Captured uint64
	Encoded  uint64
	Skipped  uint64
}

// Output states of StreamStateChanged and RecordStateChanged
// (ObsOutputState).
const (
	OutputStarting     = "OBS_WEBSOCKET_OUTPUT_STARTING"
	OutputStarted      = "OBS_WEBSOCKET_OUTPUT_STARTED"
	OutputStopping     = "OBS_WEBSOCKET_OUTPUT_STOPPING"
	OutputStopped      = "OBS_WEBSOCKET_OUTPUT_STOPPED"
	OutputReconnecting = "OBS_WEBSOCKET_OUTPUT_RECONNECTING"
	OutputReconnected  = "OBS_WEBSOCKET_OUTPUT_RECONNECTED"
)

// Event types.
const (
	EventStreamStateChanged    = "StreamStateChanged"
	EventRecordStateChanged    = "RecordStateChanged"
	EventCurrentProfileChanged = "CurrentProfileChanged"
	EventExitStarted           = "ExitStarted"
)

// Event is something clients are told about.
type Event struct {
	Type string
	// Active and State are set for StreamStateChanged and
	// RecordStateChanged, Path for RecordStateChanged.
	Active bool
	State  string
	Path   string
	// Profile is set for CurrentProfileChanged.
	Profile string
}

// Errors a Controller returns (wrapped), mapped to request status codes.
var (
	ErrNotFound        = errors.New("not found")
	ErrAlreadyActive   = errors.New("already active")
	ErrNotActive       = errors.New("not active")
	ErrInvalidState    = errors.New("not possible now")
	ErrNothingToStream = errors.New("nothing to start")
)

// statusOf maps a Controller error to a request status.
func statusOf(err error) Status {
	switch {
	case errors.Is(err, ErrNotFound):
		return StatusResourceNotFound
	case errors.Is(err, ErrAlreadyActive):
		return StatusOutputRunning
	case errors.Is(err, ErrNotActive):
		return StatusOutputNotRunning
	case errors.Is(err, ErrInvalidState), errors.Is(err, ErrNothingToStream):
		return StatusInvalidResourceState
	}
	return StatusRequestProcessingFail
}
