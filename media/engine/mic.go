package engine

import (
	"log/slog"

	"golive/media/capture"
)

// openMicrophone opens the named capture device, or falls back to silence
// with an explanatory note.
func openMicrophone(device string, log *slog.Logger) (capture.AudioSource, error) {
	log.Warn("microphone capture is not wired yet: sending silence", "device", device)
	return capture.NewSilence("microphone capture not available yet: sending silence"), nil
}
