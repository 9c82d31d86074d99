package encode

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/asticode/go-astiav"

	"golive/media/unit"
)

// Audio format of every audio encoder.
const (
	SampleRate = 48000
	Channels   = 2
)

// Audio encodes 48 kHz stereo PCM to AAC-LC (libavcodec aac) or Opus
// (libopus). Timestamps count samples from zero. The encoder's priming
// packet (negative timestamp) is dropped so every packet's PTS is >= 0 and
// is the time of the samples it decodes to.
type Audio struct {
	Codec   unit.Codec
	Bitrate int // bits per second (default 128000)
	// MaxPacket bounds the size of every Opus packet (the payload an RTP
	// packet leaves within the MTU); 0: no limit. See OpusFit.
	MaxPacket int

	codec     *astiav.Codec
	cc        *astiav.CodecContext
	frame     *astiav.Frame
	pkt       *astiav.Packet
	frameSize int
	pending   []float32 // interleaved samples not yet encoded
	pos       int64     // sample frames sent to the encoder
	params    unit.AudioParams
}

var audioEncoderNames = map[unit.Codec]string{unit.CodecAAC: "aac", unit.CodecOpus: "libopus"}

// Initialize opens the encoder.
func (a *Audio) Initialize() error {
	name, ok := audioEncoderNames[a.Codec]
	if !ok {
		return fmt.Errorf("audio encoder: codec %s is not an audio codec GoLive encodes: %w", a.Codec, ErrUnsupported)
	}
	if a.Bitrate <= 0 {
		a.Bitrate = 128000
	}
	a.codec = astiav.FindEncoderByName(name)
	if a.codec == nil {
		return fmt.Errorf("audio encoder %s: not in this libavcodec: %w", name, ErrUnsupported)
	}
	if err := a.open(); err != nil {
		a.Close()
		return fmt.Errorf("audio encoder %s: %w", name, err)
	}
	return nil
}

func (a *Audio) open() error {
	formats := a.codec.SampleFormats()
	i := slices.IndexFunc(pcmFormats, func(f astiav.SampleFormat) bool { return slices.Contains(formats, f) })
	if i < 0 {
		return fmt.Errorf("no supported sample format among %v: %w", formats, ErrUnsupported)
	}
	a.cc = astiav.AllocCodecContext(a.codec)
	if a.cc == nil {
		return errors.New("allocate codec context")
	}
	a.cc.SetSampleFormat(pcmFormats[i])
	a.cc.SetSampleRate(SampleRate)
	a.cc.SetChannelLayout(astiav.ChannelLayoutStereo)
	a.cc.SetBitRate(int64(a.Bitrate))
	a.cc.SetTimeBase(astiav.NewRational(1, SampleRate))
	a.cc.SetFlags(a.cc.Flags().Add(astiav.CodecContextFlagGlobalHeader))
	opts := map[string]string{}
	if a.Codec == unit.CodecAAC {
		opts["profile"] = "aac_low"
	}
	if a.Codec == unit.CodecOpus {
		fit, err := OpusFit(a.Bitrate, a.MaxPacket)
		if err != nil {
			return err
		}
		maps.Copy(opts, fit.opusOptions())
	}
	if err := openCodec(a.cc, a.codec, opts); err != nil {
		return err
	}
	a.frameSize = a.cc.FrameSize()
	if a.frameSize <= 0 {
		return fmt.Errorf("encoder reports frame size %d", a.frameSize)
	}
	config := a.cc.ExtraData()
	if len(config) == 0 {
		return errors.New("encoder produced no codec configuration (extradata)")
	}
	if a.Codec == unit.CodecOpus {
		if len(config) < 19 || string(config[:8]) != "OpusHead" {
			return fmt.Errorf("unexpected Opus header %x", config)
		}
		// The priming packet is dropped (see Audio), so decoders must
		// not skip samples again: pre-skip (bytes 10-11) = 0.
		config[10], config[11] = 0, 0
	}
	a.params = unit.AudioParams{
		Codec: a.Codec, SampleRate: SampleRate, Channels: Channels,
		Bitrate: a.Bitrate, FrameSize: a.frameSize, Config: config,
	}
	a.frame = astiav.AllocFrame()
	a.frame.SetSampleFormat(pcmFormats[i])
	a.frame.SetSampleRate(SampleRate)
	a.frame.SetChannelLayout(astiav.ChannelLayoutStereo)
	a.frame.SetNbSamples(a.frameSize)
	if err := a.frame.AllocBuffer(0); err != nil {
		return fmt.Errorf("allocate %d-sample frame: %w", a.frameSize, err)
	}
	a.pkt = astiav.AllocPacket()
	return nil
}

// Params returns the track description (AudioSpecificConfig or OpusHead).
func (a *Audio) Params() *unit.AudioParams {
	p := a.params
	return &p
}

// FrameSize is the number of samples per channel in one packet.
func (a *Audio) FrameSize() int { return a.frameSize }

// Write appends interleaved stereo samples and encodes every complete
// frame, returning the packets produced (CaptureTime is left to the caller).
func (a *Audio) Write(samples []float32) ([]*unit.Packet, error) {
	a.pending = append(a.pending, samples...)
	var out []*unit.Packet
	n := a.frameSize * Channels
	for len(a.pending) >= n {
		if err := writePCM(a.frame, a.pending[:n], Channels); err != nil {
			return out, fmt.Errorf("audio encoder %s: %w", a.codec.Name(), err)
		}
		a.pending = append(a.pending[:0], a.pending[n:]...)
		a.frame.SetPts(a.pos)
		a.pos += int64(a.frameSize)
		if err := a.cc.SendFrame(a.frame); err != nil {
			return out, fmt.Errorf("audio encoder %s: send frame: %w", a.codec.Name(), err)
		}
		var err error
		if out, err = a.receive(out); err != nil {
			return out, err
		}
	}
	return out, nil
}

func (a *Audio) receive(out []*unit.Packet) ([]*unit.Packet, error) {
	for {
		a.pkt.Unref()
		err := a.cc.ReceivePacket(a.pkt)
		if errors.Is(err, astiav.ErrEagain) || errors.Is(err, astiav.ErrEof) {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("audio encoder %s: receive packet: %w", a.codec.Name(), err)
		}
		pts := a.pkt.Pts()
		if pts < 0 {
			continue // priming
		}
		dur := a.pkt.Duration()
		if dur <= 0 {
			dur = int64(a.frameSize)
		}
		out = append(out, &unit.Packet{
			Codec:    a.Codec,
			PTS:      ticksToDuration(pts, SampleRate),
			DTS:      ticksToDuration(pts, SampleRate),
			Duration: ticksToDuration(dur, SampleRate),
			Key:      true,
			Data:     a.pkt.Data(),
		})
	}
}

// Close frees the encoder.
func (a *Audio) Close() {
	if a.pkt != nil {
		a.pkt.Free()
		a.pkt = nil
	}
	if a.frame != nil {
		a.frame.Free()
		a.frame = nil
	}
	if a.cc != nil {
		a.cc.Free()
		a.cc = nil
	}
}
