package capture

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/asticode/go-astiav"
)

var registerDevices sync.Once

// openInput opens a libavformat/libavdevice input such as x11grab or lavfi.
func openInput(format, url string, options map[string]string) (*astiav.FormatContext, error) {
	registerDevices.Do(astiav.RegisterAllDevices)
	inFmt := astiav.FindInputFormat(format)
	if inFmt == nil {
		return nil, fmt.Errorf("input format %q is not available in this libavdevice", format)
	}
	fc := astiav.AllocFormatContext()
	if fc == nil {
		return nil, errors.New("allocate format context")
	}
	dict := astiav.NewDictionary()
	defer dict.Free()
	keys := make([]string, 0, len(options))
	for k := range options {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := dict.Set(k, options[k], 0); err != nil {
			fc.Free()
			return nil, fmt.Errorf("set %s option %s: %w", format, k, err)
		}
	}
	if err := fc.OpenInput(url, inFmt, dict); err != nil {
		fc.Free()
		return nil, fmt.Errorf("open %s input %q: %w", format, url, err)
	}
	// Devices describe their streams in their header: no probing, which
	// would grab frames before the clock starts.
	if fc.NbStreams() == 0 {
		fc.CloseInput()
		fc.Free()
		return nil, fmt.Errorf("open %s input %q: no streams", format, url)
	}
	return fc, nil
}

func findStream(fc *astiav.FormatContext, mt astiav.MediaType) *astiav.Stream {
	for _, s := range fc.Streams() {
		if s.CodecParameters().MediaType() == mt {
			return s
		}
	}
	return nil
}

// videoInput is a VideoSource reading a libavdevice input (x11grab,
// avfoundation, gdigrab, lavfi) and decoding its raw frames. A paced
// input (lavfi) produces frames as fast as asked, so Read releases each
// frame at epoch + its timestamp and stamps it with that ideal time.
type videoInput struct {
	name  string
	paced bool
	pace  pacer

	fc     *astiav.FormatContext
	stream *astiav.Stream
	dec    *astiav.CodecContext
	pkt    *astiav.Packet
	frame  *astiav.Frame

	epoch    time.Time
	firstPTS int64
	count    int64
}

func openVideoInput(format, url string, options map[string]string, paced bool) (*videoInput, error) {
	fc, err := openInput(format, url, options)
	if err != nil {
		return nil, err
	}
	v := &videoInput{name: format, paced: paced, fc: fc, firstPTS: astiav.NoPtsValue}
	if err := v.openDecoder(); err != nil {
		v.Close()
		return nil, err
	}
	v.pkt = astiav.AllocPacket()
	v.frame = astiav.AllocFrame()
	return v, nil
}

func (v *videoInput) openDecoder() error {
	v.stream = findStream(v.fc, astiav.MediaTypeVideo)
	if v.stream == nil {
		return fmt.Errorf("%s input has no video stream", v.name)
	}
	par := v.stream.CodecParameters()
	codec := astiav.FindDecoder(par.CodecID())
	if codec == nil {
		return fmt.Errorf("no decoder for %s video codec %s", v.name, par.CodecID())
	}
	v.dec = astiav.AllocCodecContext(codec)
	if v.dec == nil {
		return errors.New("allocate decoder context")
	}
	if err := par.ToCodecContext(v.dec); err != nil {
		return fmt.Errorf("configure %s decoder: %w", codec.Name(), err)
	}
	if err := v.dec.Open(codec, nil); err != nil {
		return fmt.Errorf("open %s decoder: %w", codec.Name(), err)
	}
	return nil
}

// Size returns the picture size the input delivers.
func (v *videoInput) Size() (int, int) {
	par := v.stream.CodecParameters()
	return par.Width(), par.Height()
}

func (v *videoInput) Start(epoch time.Time) error {
	v.epoch = epoch
	return nil
}

func (v *videoInput) Read(ctx context.Context) (VideoFrame, error) {
	for {
		if err := ctx.Err(); err != nil {
			return VideoFrame{}, err
		}
		v.frame.Unref()
		err := v.dec.ReceiveFrame(v.frame)
		if err == nil {
			return v.deliver(ctx)
		}
		if !errors.Is(err, astiav.ErrEagain) {
			return VideoFrame{}, fmt.Errorf("decode %s frame: %w", v.name, err)
		}
		v.pkt.Unref()
		if err := v.fc.ReadFrame(v.pkt); err != nil {
			if errors.Is(err, astiav.ErrEof) {
				return VideoFrame{}, fmt.Errorf("%s input ended", v.name)
			}
			return VideoFrame{}, fmt.Errorf("read %s frame: %w", v.name, err)
		}
		if v.pkt.StreamIndex() != v.stream.Index() {
			continue
		}
		if err := v.dec.SendPacket(v.pkt); err != nil {
			return VideoFrame{}, fmt.Errorf("decode %s packet: %w", v.name, err)
		}
	}
}

func (v *videoInput) deliver(ctx context.Context) (VideoFrame, error) {
	v.count++
	if !v.paced {
		return VideoFrame{Frame: v.frame, Time: time.Now()}, nil
	}
	at := v.epoch.Add(v.frameOffset())
	if err := v.pace.sleepUntil(ctx, at); err != nil {
		return VideoFrame{}, err
	}
	return VideoFrame{Frame: v.frame, Time: at}, nil
}

// frameOffset is the frame's timestamp relative to the first frame.
func (v *videoInput) frameOffset() time.Duration {
	pts := v.frame.Pts()
	tb := v.stream.TimeBase()
	if pts == astiav.NoPtsValue || tb.Num() == 0 {
		fps := v.stream.AvgFrameRate()
		if fps.Num() == 0 {
			return 0
		}
		return time.Duration(float64(v.count-1) * float64(time.Second) / fps.Float64())
	}
	if v.firstPTS == astiav.NoPtsValue {
		v.firstPTS = pts
	}
	return ticksToDuration(pts-v.firstPTS, tb)
}

// ticksToDuration converts a timestamp in time base tb without overflowing
// for long runs in fine time bases.
func ticksToDuration(ticks int64, tb astiav.Rational) time.Duration {
	num, den := ticks*int64(tb.Num()), int64(tb.Den())
	whole, rem := num/den, num%den
	return time.Duration(whole)*time.Second + time.Duration(rem*int64(time.Second)/den)
}

func (v *videoInput) Close() {
	if v.frame != nil {
		v.frame.Free()
		v.frame = nil
	}
	if v.pkt != nil {
		v.pkt.Free()
		v.pkt = nil
	}
	if v.dec != nil {
		v.dec.Free()
		v.dec = nil
	}
	if v.fc != nil {
		v.fc.CloseInput()
		v.fc.Free()
		v.fc = nil
	}
}
