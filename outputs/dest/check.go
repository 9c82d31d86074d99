package dest

// Checker is implemented by workers that can check their configuration
// before going live (a recording folder that cannot be written, an RTMPS
// CA file that does not exist): the session refuses to start with the
// error instead of running a destination that can never work.
type Checker interface {
	Check() error
}
