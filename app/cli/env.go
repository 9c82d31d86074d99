package cli

import (
	"io"
	"log/slog"

	"golive/app/profile"
)

// Env is what a command reads and writes: its output streams, the
// configuration directory ("" = $GOLIVE_CONFIG_DIR or the OS default) and
// the logger.
type Env struct {
	Stdout, Stderr io.Writer
	// Stdin is read by `golive profile` when a stream key is given as "-"
	// (so it stays out of the process list); nil means no input.
	Stdin     io.Reader
	ConfigDir string
	Logger    *slog.Logger
	// Keyring stores stream keys; nil detects the OS keychain (tests set
	// a profile.MemoryKeyring).
	Keyring profile.Keyring
}
