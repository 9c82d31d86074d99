package encode

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/asticode/go-astiav"

	"golive/media/unit"
)

// Video encodes pictures to H.264, HEVC (libx265) or AV1 (libsvtav1). Frames are numbered on a constant
// frame-rate grid (index i is at i/FPS seconds): a skipped capture leaves a
// gap in the numbering, never a shift of the clock.
type Video struct {
	// Encoder is the libavcodec encoder name (default libx264).
	Encoder       string
	Width, Height int
	FPS           int
	// Bitrate in bits per second, constant (maxrate = bitrate, buffer 2x).
	Bitrate int
	// Preset is the speed preset (default veryfast; libx264 and qsv).
	Preset string
	// KeyframeInterval is the exact GOP duration (default 2 s): key frames
	// are forced at every multiple of it on the frame grid.
	KeyframeInterval time.Duration
	Logger           *slog.Logger

	codec      *astiav.Codec
	cc         *astiav.CodecContext
	pkt        *astiav.Packet
	params     unit.VideoParams
	spsPPS     []byte // Annex B SPS+PPS from extradata
	gop        int64
	nextKey    int64
	lastIndex  int64
	captureAt  map[int64]time.Time
	frameCount uint64
	// keyWanted is set by RequestKeyFrame (any goroutine) and cleared by
	// Encode when it forces the extra key frame; lastKey is the index of
	// the last key frame Encode forced.
	keyWanted atomic.Bool
	lastKey   int64
	// liveRate: SetBitrate works on this encoder (checkLiveRate).
	liveRate bool
}

// Initialize opens the encoder and reads its SPS/PPS.
func (v *Video) Initialize() error {
	v.fillDefaults()
	if v.Width <= 0 || v.Height <= 0 || v.Width%2 != 0 || v.Height%2 != 0 {
		return fmt.Errorf("video encoder: size %dx%d must be positive and even", v.Width, v.Height)
	}
	if v.FPS <= 0 || v.FPS > 240 {
		return fmt.Errorf("video encoder: frame rate %d out of range 1-240", v.FPS)
	}
	v.codec = astiav.FindEncoderByName(v.Encoder)
	if v.codec == nil || codecOf(v.codec.ID()) == 0 {
		return fmt.Errorf("video encoder %q: not an H.264, HEVC or AV1 encoder in this libavcodec: %w", v.Encoder, ErrUnsupported)
	}
	if strings.HasSuffix(v.Encoder, "_vaapi") {
		return fmt.Errorf("video encoder %s: needs VAAPI hardware frames, which GoLive does not set up: %w", v.Encoder, ErrUnsupported)
	}
	pf, err := v.pixelFormat()
	if err != nil {
		return err
	}
	v.gop = int64(v.KeyframeInterval.Seconds()*float64(v.FPS) + 0.5)
	if v.gop < 1 {
		v.gop = 1
	}
	if err := v.open(pf); err != nil {
		v.Close()
		return err
	}
	if err := v.readParams(); err != nil {
		v.Close()
		return err
	}
	v.liveRate = v.checkLiveRate()
	v.pkt = astiav.AllocPacket()
	v.captureAt = make(map[int64]time.Time)
	v.lastIndex = -1
	v.lastKey = -int64(v.FPS)
	return nil
}

func (v *Video) fillDefaults() {
	if v.Encoder == "" {
		v.Encoder = "libx264"
	}
	if v.Width == 0 && v.Height == 0 {
		v.Width, v.Height = 1280, 720
	}
	if v.FPS == 0 {
		v.FPS = 30
	}
	if v.Bitrate <= 0 {
		v.Bitrate = 2_500_000
	}
	if v.Preset == "" {
		v.Preset = "veryfast"
	}
	if v.KeyframeInterval <= 0 {
		v.KeyframeInterval = 2 * time.Second
	}
	if v.Logger == nil {
		v.Logger = slog.Default()
	}
}

// pixelFormat picks the encoder's input format: yuv420p, else nv12.
func (v *Video) pixelFormat() (astiav.PixelFormat, error) {
	formats := v.codec.PixelFormats()
	for _, pf := range []astiav.PixelFormat{astiav.PixelFormatYuv420P, astiav.PixelFormatNv12} {
		if len(formats) == 0 || slices.Contains(formats, pf) {
			return pf, nil
		}
	}
	return 0, fmt.Errorf("video encoder %s: accepts neither yuv420p nor nv12: %w", v.Encoder, ErrUnsupported)
}

// PixelFormat is the format the encoder expects its frames in.
func (v *Video) PixelFormat() astiav.PixelFormat { return v.cc.PixelFormat() }

func (v *Video) open(pf astiav.PixelFormat) error {
	v.cc = astiav.AllocCodecContext(v.codec)
	if v.cc == nil {
		return errors.New("video encoder: allocate codec context")
	}
	v.cc.SetWidth(v.Width)
	v.cc.SetHeight(v.Height)
	v.cc.SetPixelFormat(pf)
	v.cc.SetTimeBase(astiav.NewRational(1, v.FPS))
	v.cc.SetFramerate(astiav.NewRational(v.FPS, 1))
	v.cc.SetSampleAspectRatio(astiav.NewRational(1, 1))
	v.cc.SetGopSize(int(v.gop))
	v.cc.SetBitRate(int64(v.Bitrate))
	v.cc.SetFlags(v.cc.Flags().Add(astiav.CodecContextFlagGlobalHeader))
	if err := openCodec(v.cc, v.codec, v.options()); err != nil {
		return fmt.Errorf("video encoder: %w", err)
	}
	return nil
}

// options are the encoder-specific settings for low-latency CBR with a
// fixed GOP.
func (v *Video) options() map[string]string {
	rate := strconv.Itoa(v.Bitrate)
	o := map[string]string{
		"maxrate":    rate,
		"bufsize":    strconv.Itoa(2 * v.Bitrate),
		"keyint_min": strconv.FormatInt(v.gop, 10),
		"bf":         "0",
	}
	g := strconv.FormatInt(v.gop, 10)
	switch v.Encoder {
	case "libx264":
		o["preset"] = v.Preset
		o["tune"] = "zerolatency"
		o["profile"] = "high"
		o["forced-idr"] = "1"
		o["x264-params"] = "keyint=" + g + ":min-keyint=" + g + ":scenecut=0"
	case "h264_nvenc":
		o["profile"] = "high"
		o["rc"] = "cbr"
		o["zerolatency"] = "1"
		o["forced-idr"] = "1"
	case "h264_qsv":
		o["profile"] = "high"
		o["preset"] = qsvPreset(v.Preset)
		o["forced_idr"] = "1"
	case "h264_videotoolbox":
		o["profile"] = "high"
		o["realtime"] = "1"
	case "libx265", "libsvtav1", "hevc_nvenc", "hevc_qsv", "av1_nvenc", "av1_qsv":
		v.newCodecOptions(o, g)
	}
	return o
}

// readParams extracts SPS and PPS from the Annex B global header
// (HEVC's VPS/SPS/PPS and AV1's sequence header: readNewCodecParams).
func (v *Video) readParams() error {
	if c := codecOf(v.codec.ID()); c != unit.CodecH264 {
		return v.readNewCodecParams(c)
	}
	extra := v.cc.ExtraData()
	var sps, pps []byte
	for _, n := range unit.SplitAnnexB(nil, extra) {
		switch unit.NALUType(n) {
		case unit.NALUTypeSPS:
			if sps == nil {
				sps = slices.Clone(n)
			}
		case unit.NALUTypePPS:
			if pps == nil {
				pps = slices.Clone(n)
			}
		}
	}
	if sps == nil || pps == nil {
		return fmt.Errorf("video encoder %s: no SPS/PPS in its %d-byte global header", v.Encoder, len(extra))
	}
	v.spsPPS = unit.JoinAnnexB(nil, [][]byte{sps, pps})
	v.params = unit.VideoParams{
		Codec: unit.CodecH264, Width: v.Width, Height: v.Height, FPS: v.FPS,
		Bitrate: v.Bitrate, Encoder: v.Encoder, SPS: sps, PPS: pps,
	}
	return nil
}

// Params returns the track description (SPS/PPS included).
func (v *Video) Params() *unit.VideoParams {
	p := v.params
	return &p
}

// GOP returns the number of frames between key frames.
func (v *Video) GOP() int64 { return v.gop }

// RequestKeyFrame asks for a key frame as soon as allowed, so that a
// destination that starts reading mid-stream (added, restarted or
// reconnected while live, or a receiver asking for one) can begin without
// waiting for the next GOP boundary. It may be called from any goroutine
// and at any rate: requests are merged, and an extra key frame is forced
// at most once a second (KeyFrameGap after the last key frame), so a peer
// that asks too often cannot inflate the bitrate. The GOP grid is kept.
func (v *Video) RequestKeyFrame() { v.keyWanted.Store(true) }

// KeyFrameGap is the shortest time between a key frame and an extra one
// forced by RequestKeyFrame.
const KeyFrameGap = time.Second

// wantKey reports whether picture index must be a key frame: on each GOP
// boundary, and for a pending request once KeyFrameGap has passed.
func (v *Video) wantKey(index int64) bool {
	if index >= v.nextKey {
		return true
	}
	gap := int64(KeyFrameGap.Seconds() * float64(v.FPS))
	return index-v.lastKey >= gap && v.keyWanted.Load()
}

// Encode sends frame as picture number index (on the 1/FPS grid; indexes
// must increase) and returns the packets the encoder produced. A key frame
// is forced on the first frame at or after each GOP boundary, and when
// one was requested (RequestKeyFrame).
func (v *Video) Encode(frame *astiav.Frame, index int64, captured time.Time) ([]*unit.Packet, error) {
	if index <= v.lastIndex {
		return nil, fmt.Errorf("video encoder: frame index %d not after %d", index, v.lastIndex)
	}
	v.lastIndex = index
	frame.SetPts(index)
	if v.wantKey(index) {
		frame.SetPictureType(astiav.PictureTypeI)
		frame.SetKeyFrame(true)
		v.keyWanted.Store(false)
		v.lastKey = index
		if index >= v.nextKey {
			v.nextKey = (index/v.gop + 1) * v.gop
		}
	} else {
		frame.SetPictureType(astiav.PictureTypeNone)
		frame.SetKeyFrame(false)
	}
	v.captureAt[index] = captured
	if err := v.cc.SendFrame(frame); err != nil {
		return nil, fmt.Errorf("video encoder %s: send frame %d: %w", v.Encoder, index, err)
	}
	v.frameCount++
	return v.receive()
}

func (v *Video) receive() ([]*unit.Packet, error) {
	var out []*unit.Packet
	for {
		v.pkt.Unref()
		err := v.cc.ReceivePacket(v.pkt)
		if errors.Is(err, astiav.ErrEagain) || errors.Is(err, astiav.ErrEof) {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("video encoder %s: receive packet: %w", v.Encoder, err)
		}
		out = append(out, v.convert())
	}
}

// convert turns the encoder's packet into a unit.Packet, making sure a
// key frame carries SPS and PPS in band.
func (v *Video) convert() *unit.Packet {
	key := v.pkt.Flags().Has(astiav.PacketFlagKey)
	data, nalus := v.payload(key)
	pts, dts := v.pkt.Pts(), v.pkt.Dts()
	if dts == astiav.NoPtsValue {
		dts = pts
	}
	p := &unit.Packet{
		Codec:       v.params.Codec,
		PTS:         ticksToDuration(pts, v.FPS),
		DTS:         ticksToDuration(dts, v.FPS),
		Duration:    ticksToDuration(1, v.FPS),
		Key:         key,
		Data:        data,
		NALUs:       nalus,
		CaptureTime: v.captureAt[pts],
	}
	for i := range v.captureAt {
		if i <= pts {
			delete(v.captureAt, i)
		}
	}
	return p
}

func hasNALU(nalus [][]byte, typ int) bool {
	for _, n := range nalus {
		if unit.NALUType(n) == typ {
			return true
		}
	}
	return false
}

// Close frees the encoder.
func (v *Video) Close() {
	if v.pkt != nil {
		v.pkt.Free()
		v.pkt = nil
	}
	if v.cc != nil {
		v.cc.Free()
		v.cc = nil
	}
}
