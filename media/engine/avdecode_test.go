package engine

import (
	"errors"
	"testing"
	"time"

	"github.com/asticode/go-astiav"

	"golive/media/encode"
	"golive/media/unit"
)

// decoder decodes unit.Packets with libavcodec, timestamps in µs.
type decoder struct {
	t     *testing.T
	cc    *astiav.CodecContext
	pkt   *astiav.Packet
	frame *astiav.Frame
}

func newDecoder(t *testing.T, id astiav.CodecID, extradata []byte) *decoder {
	t.Helper()
	codec := astiav.FindDecoder(id)
	if codec == nil {
		t.Fatalf("no decoder for %s", id)
	}
	d := &decoder{t: t, cc: astiav.AllocCodecContext(codec), pkt: astiav.AllocPacket(), frame: astiav.AllocFrame()}
	t.Cleanup(func() { d.frame.Free(); d.pkt.Free(); d.cc.Free() })
	if extradata != nil {
		if err := d.cc.SetExtraData(extradata); err != nil {
			t.Fatal(err)
		}
	}
	d.cc.SetTimeBase(astiav.NewRational(1, 1_000_000))
	if err := d.cc.Open(codec, nil); err != nil {
		t.Fatalf("open %s decoder: %v", codec.Name(), err)
	}
	return d
}

// decode sends every packet and calls onFrame for each decoded frame.
func (d *decoder) decode(pkts []*unit.Packet, onFrame func(pts time.Duration, f *astiav.Frame)) {
	d.t.Helper()
	for i, p := range pkts {
		if err := d.pkt.FromData(p.Data); err != nil {
			d.t.Fatal(err)
		}
		d.pkt.SetPts(p.PTS.Microseconds())
		d.pkt.SetDts(p.DTS.Microseconds())
		if err := d.cc.SendPacket(d.pkt); err != nil {
			d.t.Fatalf("decode %s packet %d: %v", p.Codec, i, err)
		}
		for {
			err := d.cc.ReceiveFrame(d.frame)
			if errors.Is(err, astiav.ErrEagain) {
				break
			}
			if err != nil {
				d.t.Fatalf("decode %s packet %d: %v", p.Codec, i, err)
			}
			onFrame(time.Duration(d.frame.Pts())*time.Microsecond, d.frame)
			d.frame.Unref()
		}
	}
}

// decodeLuma decodes H.264 and returns each picture's PTS and mean luma.
func decodeLuma(t *testing.T, video []*unit.Packet) (pts []time.Duration, luma []float64) {
	d := newDecoder(t, astiav.CodecIDH264, nil)
	d.decode(video, func(p time.Duration, f *astiav.Frame) {
		b, err := f.Data().Bytes(1)
		if err != nil {
			t.Fatal(err)
		}
		y := b[:f.Width()*f.Height()]
		sum := 0
		for _, v := range y {
			sum += int(v)
		}
		pts = append(pts, p)
		luma = append(luma, float64(sum)/float64(len(y)))
	})
	return pts, luma
}

// decodeAudio decodes an audio track and returns its left channel and the
// PTS of its first sample; it fails on gaps between decoded frames.
func decodeAudio(t *testing.T, params *unit.AudioParams, pkts []*unit.Packet) ([]float32, time.Duration) {
	id := map[unit.Codec]astiav.CodecID{unit.CodecAAC: astiav.CodecIDAac, unit.CodecOpus: astiav.CodecIDOpus}[params.Codec]
	d := newDecoder(t, id, params.Config)
	var left []float32
	var start time.Duration
	d.decode(pkts, func(p time.Duration, f *astiav.Frame) {
		if left == nil {
			start = p
		} else if want := start + time.Duration(len(left))*time.Second/48000; absDur(p-want) > 50*time.Microsecond {
			t.Errorf("%s: decoded frame at %v, want %v (gap)", params.Codec, p, want)
		}
		s, err := encode.ReadPCM(f)
		if err != nil {
			t.Fatal(err)
		}
		if f.SampleRate() != 48000 || f.ChannelLayout().NbChannels() != 2 {
			t.Fatalf("%s decoded %d Hz %d channels", params.Codec, f.SampleRate(), f.ChannelLayout().NbChannels())
		}
		for i := 0; i < len(s); i += 2 {
			left = append(left, s[i])
		}
	})
	return left, start
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// flashOnsets returns the PTS of pictures that turn white.
func flashOnsets(pts []time.Duration, luma []float64) []time.Duration {
	var out []time.Duration
	for i := 1; i < len(luma); i++ {
		if luma[i] > 200 && luma[i-1] < 200 {
			out = append(out, pts[i])
		}
	}
	return out
}

// beepOnsets returns the times at which the signal first exceeds level
// after at least 200 ms below it.
func beepOnsets(samples []float32, start time.Duration, level float32) []time.Duration {
	var out []time.Duration
	quiet := 0
	for i, v := range samples {
		if v > level || v < -level {
			if quiet >= 48000/5 {
				out = append(out, start+time.Duration(i)*time.Second/48000)
			}
			quiet = 0
			continue
		}
		quiet++
	}
	return out
}
