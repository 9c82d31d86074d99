package encode

/*
#cgo pkg-config: libavcodec
#include <libavcodec/avcodec.h>

// golive_set_rate sets the rate control fields libx264 compares before
// every frame (FFmpeg libx264.c reconfig_encoder): a change is applied to
// the running encoder with x264_encoder_reconfig.
static void golive_set_rate(AVCodecContext *c, int64_t rate, int64_t max_rate, int buffer) {
	c->bit_rate = rate;
	c->rc_max_rate = max_rate;
	c->rc_buffer_size = buffer;
}

static int64_t golive_max_rate(AVCodecContext *c) { return c->rc_max_rate; }
static int golive_buffer_size(AVCodecContext *c) { return c->rc_buffer_size; }
*/
import "C"

import (
	"fmt"
	"reflect"
	"slices"

	"github.com/asticode/go-astiav"
)

// liveRateEncoders change their bitrate between frames when the codec
// context's rate fields change (FFmpeg 5.1: libx264's reconfig_encoder;
// libx265 and libsvtav1 read them only when opened).
var liveRateEncoders = []string{"libx264"}

// contextOf returns the AVCodecContext behind cc: go-astiav v0.16 sets
// rc_max_rate and rc_buffer_size only as options when the encoder is
// opened, and has no setter for them afterwards. nil when the binding's
// layout is not the expected one.
func contextOf(cc *astiav.CodecContext) *C.AVCodecContext {
	if cc == nil {
		return nil
	}
	f := reflect.ValueOf(cc).Elem().FieldByName("c")
	if !f.IsValid() || f.Kind() != reflect.Pointer || f.IsNil() {
		return nil
	}
	return (*C.AVCodecContext)(f.UnsafePointer())
}

// checkLiveRate reports whether SetBitrate can work on the opened
// encoder: a known encoder, and a context whose rate fields read back
// what Initialize set (the binding's layout is the expected one).
func (v *Video) checkLiveRate() bool {
	c := contextOf(v.cc)
	return slices.Contains(liveRateEncoders, v.Encoder) && c != nil &&
		int64(C.golive_max_rate(c)) == int64(v.Bitrate) && int(C.golive_buffer_size(c)) == 2*v.Bitrate &&
		v.cc.BitRate() == int64(v.Bitrate)
}

// LiveBitrate reports whether the encoder's bitrate can change while it
// runs (SetBitrate).
func (v *Video) LiveBitrate() bool { return v.liveRate }

// SetBitrate changes the target bitrate from the next frame on (maxrate
// = bitrate, as at Initialize, with a buffer of one second instead of two:
// a tighter buffer makes libx264 reach a lower rate sooner).
// Call it from the goroutine that calls Encode. ErrUnsupported when the
// encoder cannot change it while running (see LiveBitrate).
func (v *Video) SetBitrate(bps int) error {
	if !v.liveRate {
		return fmt.Errorf("video encoder %s: the bitrate cannot change while live: %w", v.Encoder, ErrUnsupported)
	}
	if bps <= 0 || bps > 1<<30 {
		return fmt.Errorf("video encoder %s: bitrate %d out of range", v.Encoder, bps)
	}
	C.golive_set_rate(contextOf(v.cc), C.int64_t(bps), C.int64_t(bps), C.int(bps))
	v.Bitrate = bps
	return nil
}
