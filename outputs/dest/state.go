// Package dest runs one destination's protocol worker with reconnects and
// exposes its state and statistics for the UI and the command line. No
// protocol package re-implements retrying: each only returns errors.
package dest

import (
	"errors"
	"time"
)

// State is where a destination is in its life.
type State string

// Destination states.
const (
	StateIdle         State = "idle"
	StateConnecting   State = "connecting"
	StateLive         State = "live"
	StateReconnecting State = "reconnecting"
	StateFailed       State = "failed"
	StateStopped      State = "stopped"
)

// FatalError marks an error that retrying will not fix (a rejected stream
// key, a stream name in use). The handler reports it and waits for the user
// (RetryNow) or for its long FatalRetry delay instead of retrying quickly.
type FatalError struct {
	Err error
	// Local marks our own error (a packet the destination cannot carry):
	// it stays fatal even right after a live connection, where a fatal
	// answer of the server is first retried for FatalGrace.
	Local bool
}

func (e *FatalError) Error() string { return e.Err.Error() }
func (e *FatalError) Unwrap() error { return e.Err }

// Fatal wraps err as a FatalError.
func Fatal(err error) error {
	if err == nil {
		return nil
	}
	return &FatalError{Err: err}
}

// FatalLocal wraps err as a FatalError of our own making (Local): the
// handler reports it and never retries it in a loop.
func FatalLocal(err error) error {
	if err == nil {
		return nil
	}
	return &FatalError{Err: err, Local: true}
}

// isLocal reports whether err is, or wraps, a FatalError marked Local.
func isLocal(err error) bool {
	var f *FatalError
	return errors.As(err, &f) && f.Local
}

// IsFatal reports whether err is, or wraps, a FatalError.
func IsFatal(err error) bool {
	var f *FatalError
	return errors.As(err, &f)
}

// unfatal returns err, with the same message, as an error that is not
// fatal.
func unfatal(err error) error {
	var f *FatalError
	if !errors.As(err, &f) {
		return err
	}
	return &retryable{msg: err.Error(), err: f.Err}
}

type retryable struct {
	msg string
	err error
}

func (r *retryable) Error() string { return r.msg }
func (r *retryable) Unwrap() error { return r.err }

// UnreachableError marks a failure to reach the server at all (a refused
// or timed-out TCP connect, a DNS failure): only then does the handler
// probe the server while it waits, so a server that accepts connections
// is never probed into a reconnect loop.
type UnreachableError struct{ Err error }

func (e *UnreachableError) Error() string { return e.Err.Error() }
func (e *UnreachableError) Unwrap() error { return e.Err }

// Unreachable wraps err as an UnreachableError.
func Unreachable(err error) error {
	if err == nil {
		return nil
	}
	return &UnreachableError{Err: err}
}

// IsUnreachable reports whether err is, or wraps, an UnreachableError.
func IsUnreachable(err error) bool {
	var u *UnreachableError
	return errors.As(err, &u)
}

// Status is a snapshot of one destination for the UI and stats output.
type Status struct {
	Name  string `json:"name"`
	Kind  string `json:"kind"`
	State State  `json:"state"`
	// NextTry is when the next connection attempt is due (reconnecting
	// or failed states).
	NextTry time.Time `json:"-"`
	// RetryInS is the countdown to NextTry in seconds, for display.
	RetryInS  float64 `json:"retry_in_s,omitempty"`
	LastError string  `json:"error,omitempty"`
	// Note is a warning about a destination that works (a server
	// flooding control messages).
	Note         string  `json:"note,omitempty"`
	Reconnects   uint64  `json:"reconnects"`
	UptimeS      float64 `json:"uptime_s"`
	Bytes        uint64  `json:"bytes"`
	BitrateKbps  float64 `json:"bitrate_kbps"`
	Bitrate10s   float64 `json:"bitrate_10s_kbps"`
	FramesSent   uint64  `json:"frames_sent"`
	QueueMs      float64 `json:"queue_ms"`
	Dropped      uint64  `json:"dropped"`
	DroppedAudio uint64  `json:"dropped_audio,omitempty"`
	// CPU is the share of one core the destination's sender used over
	// the last window of at least a second: the CPU time of the OS
	// thread its goroutine is locked to (see cpuMeter), as the encoders'
	// "cpu".
	CPU float64 `json:"cpu"`
	// Detail carries protocol-specific figures (RTCP loss, jitter, ...).
	Detail map[string]any `json:"detail,omitempty"`
	// Encoder is the id of the video encoder the destination reads (set
	// by the session; see `--stats json` "encoders").
	Encoder string `json:"encoder,omitempty"`
}

// userWaitError marks an error after which the handler does not try
// again on its own (see NeedsUser).
type userWaitError struct{ Err error }

func (e *userWaitError) Error() string { return e.Err.Error() }
func (e *userWaitError) Unwrap() error { return e.Err }

// NeedsUser wraps err as fatal and as waiting for the user: the handler
// stays failed with no retry countdown until RetryNow (a full disk: a
// retry would only create more empty files before space is freed).
func NeedsUser(err error) error {
	if err == nil {
		return nil
	}
	return Fatal(&userWaitError{Err: err})
}

// WaitsForUser reports whether err came from NeedsUser.
func WaitsForUser(err error) bool {
	var u *userWaitError
	return errors.As(err, &u)
}
