package encode

/*
#cgo pkg-config: libavutil
#include <errno.h>
#include <string.h>
#include <libavutil/frame.h>
#include <libavutil/samplefmt.h>

static short golive_to_s16(float v) {
	if (v > 1.0f) v = 1.0f;
	if (v < -1.0f) v = -1.0f;
	return (short)(v * 32767.0f);
}

// golive_write_pcm copies nb interleaved float frames of ch channels into
// f (made writable first), converting to the frame's sample format.
static int golive_write_pcm(AVFrame *f, const float *in, int nb, int ch) {
	int ret = av_frame_make_writable(f);
	if (ret < 0) return ret;
	if (nb > f->nb_samples) return AVERROR(EINVAL);
	switch (f->format) {
	case AV_SAMPLE_FMT_FLT:
		memcpy(f->data[0], in, (size_t)nb * ch * sizeof(float));
		break;
	case AV_SAMPLE_FMT_FLTP:
		for (int c = 0; c < ch; c++) {
			float *dst = (float *)f->extended_data[c];
			for (int i = 0; i < nb; i++) dst[i] = in[i * ch + c];
		}
		break;
	case AV_SAMPLE_FMT_S16: {
		short *dst = (short *)f->data[0];
		for (int i = 0; i < nb * ch; i++) dst[i] = golive_to_s16(in[i]);
		break;
	}
	case AV_SAMPLE_FMT_S16P:
		for (int c = 0; c < ch; c++) {
			short *dst = (short *)f->extended_data[c];
			for (int i = 0; i < nb; i++) dst[i] = golive_to_s16(in[i * ch + c]);
		}
		break;
	default:
		return AVERROR(EINVAL);
	}
	f->nb_samples = nb;
	return 0;
}
// golive_read_pcm copies a decoded frame's samples, interleaved, as float
// into out (room for nb_samples * channels).
static int golive_read_pcm(const AVFrame *f, float *out, int ch) {
	int nb = f->nb_samples;
	for (int c = 0; c < ch; c++) {
		for (int i = 0; i < nb; i++) {
			float v;
			switch (f->format) {
			case AV_SAMPLE_FMT_FLT:  v = ((const float *)f->data[0])[i * ch + c]; break;
			case AV_SAMPLE_FMT_FLTP: v = ((const float *)f->extended_data[c])[i]; break;
			case AV_SAMPLE_FMT_S16:  v = ((const short *)f->data[0])[i * ch + c] / 32768.0f; break;
			case AV_SAMPLE_FMT_S16P: v = ((const short *)f->extended_data[c])[i] / 32768.0f; break;
			default: return AVERROR(EINVAL);
			}
			out[i * ch + c] = v;
		}
	}
	return 0;
}
*/
import "C"

import (
	"fmt"
	"unsafe"

	"github.com/asticode/go-astiav"
)

// pcmFormats are the sample formats writePCM can fill, in preference order.
var pcmFormats = []astiav.SampleFormat{
	astiav.SampleFormatFltp, astiav.SampleFormatFlt, astiav.SampleFormatS16P, astiav.SampleFormatS16,
}

// writePCM copies interleaved float samples (channels per frame) into an
// allocated audio frame, converting to its sample format.
func writePCM(f *astiav.Frame, samples []float32, channels int) error {
	nb := len(samples) / channels
	if nb == 0 {
		return fmt.Errorf("write pcm: no samples")
	}
	ret := C.golive_write_pcm((*C.AVFrame)(f.UnsafePointer()), (*C.float)(unsafe.Pointer(&samples[0])),
		C.int(nb), C.int(channels))
	if ret < 0 {
		return fmt.Errorf("write pcm (%d frames, %s): %w", nb, f.SampleFormat().Name(), astiav.Error(ret))
	}
	return nil
}

// ReadPCM returns a decoded audio frame's samples as interleaved float32
// (flt, fltp, s16 and s16p frames), for tools and tests that inspect
// decoded audio.
func ReadPCM(f *astiav.Frame) ([]float32, error) {
	ch := f.ChannelLayout().NbChannels()
	nb := f.NbSamples()
	if ch <= 0 || nb <= 0 {
		return nil, fmt.Errorf("read pcm: frame has %d channels, %d samples", ch, nb)
	}
	out := make([]float32, nb*ch)
	if ret := C.golive_read_pcm((*C.AVFrame)(f.UnsafePointer()), (*C.float)(unsafe.Pointer(&out[0])), C.int(ch)); ret < 0 {
		return nil, fmt.Errorf("read pcm (%s): %w", f.SampleFormat().Name(), astiav.Error(ret))
	}
	return out, nil
}
