// Package engine captures the screen (or a test pattern) and the
// microphone (or a test tone), encodes them once (H.264 plus AAC and/or
// Opus) on one clock, and publishes the packets to a stream.Stream that
// every output reads.
package engine

import (
	"errors"
	"fmt"
	"image"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gen2brain/malgo"

	"golive/media/capture"
	"golive/media/encode"
	"golive/media/stream"
	"golive/media/unit"
)

// Source kinds.
const (
	KindScreen = "screen"
	KindTest   = "test"
	KindMic    = "mic"
	KindNone   = "none"
)

// DefaultHandoff is how many converted frames may wait for the encoder.
const DefaultHandoff = 3

// VideoSourceConfig selects the picture source.
type VideoSourceConfig struct {
	Kind    string          // "screen" | "test" (default "screen")
	Display string          // X display like ":99.0" (default $DISPLAY); ignored for test
	Region  image.Rectangle // zero = whole screen
	Cursor  bool
	// RestoreToken is the desktop portal's token from an earlier session
	// (Wayland); see Engine.RestoreToken.
	RestoreToken string
}

// AudioSourceConfig selects the sound source.
type AudioSourceConfig struct {
	Kind   string // "mic" | "test" | "none" (default "mic")
	Device string // microphone name or id; "" = default
}

// DefaultAudioBitrate is the audio bitrate when none is set, in bps.
const DefaultAudioBitrate = 128000

// Config is the engine's exported configuration.
type Config struct {
	Video VideoSourceConfig
	Audio AudioSourceConfig
	// Width, Height, FPS of the output (default 1280x720@30); the source
	// keeps its aspect ratio, letterboxed.
	Width, Height, FPS int
	// VideoBitrate in bps (default 2_500_000), CBR: maxrate = bitrate,
	// buffer 2x.
	VideoBitrate int
	// Encoder is the H.264 encoder (default libx264).
	Encoder string
	// Preset (default veryfast; libx264 also gets tune=zerolatency).
	Preset string
	// KeyframeInterval is the exact GOP duration (default 2 s).
	KeyframeInterval time.Duration
	// AudioBitrate per audio encoder in bps (default 128000).
	AudioBitrate int
	// OpusMaxPacket bounds every Opus packet in bytes (the smallest RTP
	// payload of the outputs carrying Opus); 0: no limit.
	OpusMaxPacket int
	// AudioCodecs lists the audio encoders to run (AAC and/or Opus, 48 kHz
	// stereo); empty = no audio track.
	AudioCodecs []unit.Codec
	// Handoff bounds the frames waiting between capture and encoder
	// (default DefaultHandoff); more are skipped and counted.
	Handoff int
	// Renditions are more encodes of the same capture (their own size,
	// frame rate, bitrate, layout), each with its own stream: see
	// RenditionStream. The capture is read once.
	Renditions []Rendition
	Logger     *slog.Logger
}

// Engine captures, encodes and publishes. Use Initialize, then Run, then
// Close.
type Engine struct {
	Config

	videoSrc capture.VideoSource
	audioSrc capture.AudioSource
	venc     *encode.Video
	aencs    []*encode.Audio
	scaler   encode.Scaler
	stream   *stream.Stream
	handoff  handoff
	stats    counters
	meter    encMeter
	pipes    []*pipe
	preview  previewer
	muted    atomic.Bool
	// beforeEncode, when set (tests), runs before every video encode.
	beforeEncode func()
	// micBackends overrides the audio backends (tests: capture.BackendNull).
	micBackends []malgo.Backend
	// guardMic puts a micGuard between the audio source and the encoder
	// (microphones: they can stop or fail mid-stream); guard is it, once
	// Run started.
	guardMic bool
	guard    *micGuard

	mu      sync.Mutex
	state   runState
	cancel  func()
	done    chan struct{}
	freeing sync.Once
}

type runState int

const (
	stateNew runState = iota
	stateReady
	stateRunning
	stateFinished
	stateClosed
)

func (e *Engine) fillDefaults() {
	c := &e.Config
	if c.Video.Kind == "" {
		c.Video.Kind = KindScreen
	}
	if c.Audio.Kind == "" {
		c.Audio.Kind = KindMic
	}
	if c.Width == 0 && c.Height == 0 {
		c.Width, c.Height = 1280, 720
	}
	if c.FPS == 0 {
		c.FPS = 30
	}
	if c.VideoBitrate == 0 {
		c.VideoBitrate = 2_500_000
	}
	if c.Encoder == "" {
		c.Encoder = "libx264"
	}
	if c.Preset == "" {
		c.Preset = "veryfast"
	}
	if c.KeyframeInterval == 0 {
		c.KeyframeInterval = 2 * time.Second
	}
	if c.AudioBitrate == 0 {
		c.AudioBitrate = DefaultAudioBitrate
	}
	if c.Handoff <= 0 {
		c.Handoff = DefaultHandoff
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

func (e *Engine) validate() error {
	c := &e.Config
	if c.Width <= 0 || c.Height <= 0 || c.Width%2 != 0 || c.Height%2 != 0 {
		return fmt.Errorf("output size %dx%d: width and height must be positive and even", c.Width, c.Height)
	}
	if c.FPS < 1 || c.FPS > 120 {
		return fmt.Errorf("frame rate %d: must be 1-120", c.FPS)
	}
	if c.VideoBitrate < 100_000 || c.AudioBitrate < 16_000 {
		return fmt.Errorf("bitrates video %d / audio %d bps: too low", c.VideoBitrate, c.AudioBitrate)
	}
	if c.KeyframeInterval < time.Second/time.Duration(c.FPS) {
		return fmt.Errorf("keyframe interval %v: shorter than one frame", c.KeyframeInterval)
	}
	if err := c.validateRenditions(); err != nil {
		return err
	}
	for i, codec := range c.AudioCodecs {
		if codec != unit.CodecAAC && codec != unit.CodecOpus {
			return fmt.Errorf("audio codec %s: only aac and opus are supported", codec)
		}
		if slices.Contains(c.AudioCodecs[:i], codec) {
			return fmt.Errorf("audio codec %s listed twice", codec)
		}
	}
	return nil
}

// Initialize fills defaults, opens the sources and encoders, and creates
// the stream with complete tracks (SPS/PPS, AudioSpecificConfig, OpusHead).
func (e *Engine) Initialize() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.state != stateNew {
		return errors.New("engine: already initialized")
	}
	e.fillDefaults()
	if err := e.validate(); err != nil {
		return fmt.Errorf("engine: %w", err)
	}
	encode.QuietLogs()
	if err := e.open(); err != nil {
		e.free()
		return fmt.Errorf("engine: %w", err)
	}
	e.state = stateReady
	return nil
}

func (e *Engine) open() error {
	if err := e.openEncoders(); err != nil {
		return err
	}
	if err := e.openVideoSource(); err != nil {
		return err
	}
	if err := e.openAudioSource(); err != nil {
		return err
	}
	e.scaler = encode.Scaler{Width: e.Width, Height: e.Height, PixelFormat: e.venc.PixelFormat()}
	if err := e.handoff.init(e.Handoff); err != nil {
		return err
	}
	tracks := unit.Tracks{Video: e.venc.Params()}
	for _, a := range e.aencs {
		tracks.Audio = append(tracks.Audio, a.Params())
	}
	e.stream = stream.New(tracks)
	return e.openPipes(tracks.Audio)
}

func (e *Engine) openEncoders() error {
	e.venc = &encode.Video{
		Encoder: e.Encoder, Width: e.Width, Height: e.Height, FPS: e.FPS,
		Bitrate: e.VideoBitrate, Preset: e.Preset, KeyframeInterval: e.KeyframeInterval,
		Logger: e.Logger,
	}
	tids, err := startedBy(e.venc.Initialize)
	if err != nil {
		e.venc = nil
		return err
	}
	e.meter.threads.add(tids...)
	e.Logger.Debug("encoder opened", "encoder", MainID, "threads", len(tids))
	for _, codec := range e.AudioCodecs {
		a := &encode.Audio{Codec: codec, Bitrate: e.AudioBitrate}
		if codec == unit.CodecOpus {
			a.MaxPacket = e.OpusMaxPacket
		}
		if err := a.Initialize(); err != nil {
			return err
		}
		e.aencs = append(e.aencs, a)
	}
	return nil
}

func (e *Engine) openVideoSource() error {
	var err error
	switch e.Video.Kind {
	case KindTest:
		e.videoSrc, err = capture.NewTestVideo(e.Width, e.Height, e.FPS)
	case KindScreen:
		e.videoSrc, err = capture.NewScreen(capture.ScreenConfig{
			Display: e.Video.Display, Region: e.Video.Region, Cursor: e.Video.Cursor, FPS: e.FPS,
			RestoreToken: e.Video.RestoreToken,
		})
	default:
		return fmt.Errorf("video source kind %q: want %q or %q", e.Video.Kind, KindScreen, KindTest)
	}
	return err
}

func (e *Engine) openAudioSource() error {
	var err error
	switch e.Audio.Kind {
	case KindTest:
		e.audioSrc, err = capture.NewTestAudio()
	case KindMic:
		e.audioSrc = openMicrophone(e.Audio.Device, e.micBackends, e.Logger)
		e.guardMic = true
	case KindNone:
		if len(e.AudioCodecs) > 0 {
			e.audioSrc = capture.NewSilence("audio source disabled: sending silence")
		}
	default:
		return fmt.Errorf("audio source kind %q: want %q, %q or %q", e.Audio.Kind, KindMic, KindTest, KindNone)
	}
	return err
}

// RestoreToken is the token the desktop portal gave for sharing the same
// monitor next time without asking ("" for other sources); save it as
// the next VideoSourceConfig.RestoreToken.
func (e *Engine) RestoreToken() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if t, ok := e.videoSrc.(capture.RestoreTokener); ok {
		return t.RestoreToken()
	}
	return ""
}

// Stream returns the stream packets are published to (nil before
// Initialize).
func (e *Engine) Stream() *stream.Stream {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stream
}

// Close stops Run if it is running, waits for it, and frees every
// resource. It is safe to call more than once.
func (e *Engine) Close() {
	e.mu.Lock()
	cancel, done := e.cancel, e.done
	prev := e.state
	e.state = stateClosed
	e.mu.Unlock()
	if prev == stateRunning {
		cancel()
		<-done
	}
	e.freeing.Do(func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.closeStreams()
		e.free()
	})
}

// free releases sources and encoders; e.mu is held or nothing runs.
func (e *Engine) free() {
	if e.videoSrc != nil {
		e.videoSrc.Close()
		e.videoSrc = nil
	}
	if e.audioSrc != nil {
		e.audioSrc.Close()
		e.audioSrc = nil
	}
	if e.venc != nil {
		e.venc.Close()
		e.venc = nil
	}
	for _, a := range e.aencs {
		a.Close()
	}
	e.aencs = nil
	for _, p := range e.pipes {
		p.free()
	}
	e.scaler.Close()
	e.handoff.release()
	e.preview.free()
}

// RequestKeyFrame asks the video encoder for a key frame as soon as its
// rate limit allows (encode.KeyFrameGap after the last one): a
// destination that starts reading while live begins at once instead of
// waiting up to a whole GOP. Safe from any goroutine, at any rate; a no-op
// before Initialize and after Close.
func (e *Engine) RequestKeyFrame() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.venc != nil && e.state != stateClosed {
		e.venc.RequestKeyFrame()
	}
}
