package engine

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/gen2brain/malgo"

	"golive/media/capture"
)

// openMicrophone opens the capture device; when none is usable the engine
// sends silence and says why in Stats.AudioNote rather than failing the
// broadcast.
func openMicrophone(device string, backends []malgo.Backend, log *slog.Logger) capture.AudioSource {
	src, err := capture.NewMicrophone(capture.MicConfig{Device: device, Backends: backends})
	if err == nil {
		return src
	}
	var note string
	switch {
	case errors.Is(err, capture.ErrNoMicrophone) && device == "":
		note = "no microphone found: sending silence"
	case errors.Is(err, capture.ErrNoMicrophone):
		note = fmt.Sprintf("microphone %q not found: sending silence", device)
	default:
		note = fmt.Sprintf("microphone unavailable (%v): sending silence", err)
	}
	log.Warn("audio source fallback", "note", note)
	return capture.NewSilence(note)
}
