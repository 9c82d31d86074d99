// Package encode wraps libavcodec (through go-astiav) to turn captured
// pictures and PCM into the unit.Packets every output shares: H.264
// (libx264 or a hardware encoder) in Annex B with in-band SPS/PPS on key
// frames, AAC-LC and Opus at 48 kHz stereo.
package encode

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/asticode/go-astiav"
)

// ErrUnsupported is wrapped by errors about an encoder this build or this
// machine cannot use.
var ErrUnsupported = errors.New("unsupported")

var quietOnce sync.Once

// QuietLogs keeps libav's informational output (libx264's banner and
// statistics) off stderr: errors only. Encoders call it when opened.
func QuietLogs() {
	quietOnce.Do(func() {
		if astiav.GetLogLevel() > astiav.LogLevelError {
			astiav.SetLogLevel(astiav.LogLevelError)
		}
	})
}

// openCodec opens cc with options and reports options the codec ignored.
func openCodec(cc *astiav.CodecContext, codec *astiav.Codec, options map[string]string) error {
	QuietLogs()
	dict := astiav.NewDictionary()
	defer dict.Free()
	for k, v := range options {
		if err := dict.Set(k, v, 0); err != nil {
			return fmt.Errorf("set %s option %s=%s: %w", codec.Name(), k, v, err)
		}
	}
	if err := cc.Open(codec, dict); err != nil {
		return fmt.Errorf("open %s encoder: %w", codec.Name(), err)
	}
	if e := dict.Get("", nil, astiav.NewDictionaryFlags(astiav.DictionaryFlagIgnoreSuffix)); e != nil {
		return fmt.Errorf("open %s encoder: option %s not recognised", codec.Name(), e.Key())
	}
	return nil
}

// ticksToDuration converts ticks of time base 1/den without overflow.
func ticksToDuration(ticks int64, den int) time.Duration {
	whole, rem := ticks/int64(den), ticks%int64(den)
	return time.Duration(whole)*time.Second + time.Duration(rem*int64(time.Second)/int64(den))
}
