// Package testpattern describes GoLive's synthetic test source as lavfi
// filter graphs: testsrc2 with a white flash and a sine tone with a louder
// beep, both once a second, for A/V sync checks along the whole chain. It is
// pure Go: media/capture opens these graphs with FFmpeg, and the benchmark
// and the tests hand them to the ffmpeg command line.
package testpattern

import (
	"fmt"
	"time"
)

// The test pattern marks every second with a 100 ms full-frame white flash
// and, starting at the same instant, a 100 ms beep 20 dB louder than the
// continuous tone.
const (
	SyncPeriod = time.Second
	SyncLength = 100 * time.Millisecond
	// ToneGain and BeepGain scale lavfi's sine (amplitude 1/8).
	ToneGain = 0.1
	BeepGain = 1.0
	// ToneFrequency is the frequency of the tone and the beep, in Hz.
	ToneFrequency = 880
	// SampleRate is the audio sample rate, in Hz.
	SampleRate = 48000
)

// syncExpr is true (non-zero) during the marker of each period.
var syncExpr = fmt.Sprintf("lt(mod(t,%g),%g)", SyncPeriod.Seconds(), SyncLength.Seconds())

// VideoGraph returns the lavfi graph of the synthetic picture: testsrc2
// with the white sync flash.
func VideoGraph(width, height, fps int) string {
	return fmt.Sprintf("testsrc2=size=%dx%d:rate=%d,"+
		"drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='%s'",
		width, height, fps, syncExpr)
}

// AudioGraph returns the lavfi graph of the synthetic sound: a tone with
// the louder sync beep, 10 ms per frame, 48 kHz stereo float.
func AudioGraph() string {
	return fmt.Sprintf("sine=frequency=%d:sample_rate=%d:samples_per_frame=%d,"+
		"volume='if(%s,%g,%g)':eval=frame,"+
		"aformat=sample_fmts=flt:channel_layouts=stereo",
		ToneFrequency, SampleRate, SampleRate/100, syncExpr, BeepGain, ToneGain)
}
