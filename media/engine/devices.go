package engine

import (
	"os"

	"golive/media/capture"
	"golive/media/encode"
)

// Screen is a capturable screen or monitor.
type Screen = capture.Screen

// Microphone is an audio capture device.
type Microphone = capture.Microphone

// EncoderInfo describes an encoder this libavcodec provides.
type EncoderInfo = encode.EncoderInfo

// ListScreens lists the screens of the default X display ($DISPLAY) and
// their monitors (XRandR); nil when there is no display. On a Wayland
// session it is the one screen the desktop portal shares (Display
// "portal": the desktop asks which monitor).
func ListScreens() []Screen {
	if capture.UsesPortal("", os.Getenv) {
		return []Screen{{Name: "screen", Display: capture.PortalDisplay, Primary: true}}
	}
	s, err := capture.ListScreens("")
	if err != nil {
		return nil
	}
	return s
}

// ListMicrophones lists the audio capture devices.
func ListMicrophones() ([]Microphone, error) { return capture.ListMicrophones(nil) }

// ListEncoders lists the H.264, AAC and Opus encoders of this libavcodec.
func ListEncoders() []EncoderInfo { return encode.ListEncoders() }
