package engine

import (
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
// their monitors (XRandR); nil when there is no display.
func ListScreens() []Screen {
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
