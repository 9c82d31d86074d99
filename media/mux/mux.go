// Package mux writes encoded packets into a container through libavformat
// (go-astiav): Matroska and fragmented MP4 files for recording, MPEG-TS for
// RTP. Output goes through a custom I/O context, to a file or any
// io.Writer, so the byte count and the real cause of a write error are
// known.
package mux

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/asticode/go-astiav"

	"golive/media/unit"
)

// Default custom I/O buffer size for file output.
const defaultFileBuffer = 64 * 1024

// Muxer writes the packets of one video and one audio track into a
// container. Fill the exported fields, call Initialize, WritePacket from a
// single goroutine, and Close. It is not safe for concurrent use.
type Muxer struct {
	// Format is the libavformat short name: "matroska", "mp4", "mpegts".
	Format string
	// Path is the output file (created or truncated). Set Path or Writer.
	Path string
	// Writer receives the container bytes when Path is empty. If it also
	// implements io.Seeker the muxer may seek back (e.g. to finish a
	// non-fragmented MP4).
	Writer io.Writer
	// PacketSize is the custom I/O buffer size: the Writer receives chunks
	// of at most this many bytes (7*188 = 1316 for MPEG-TS over RTP).
	// Default 64 KiB.
	PacketSize int
	// Tracks are the stream's codec parameters. Tracks.Video (H.264 with
	// SPS and PPS) is muxed when set.
	Tracks unit.Tracks
	// AudioCodec selects which of Tracks.Audio to mux; 0 means no audio.
	AudioCodec unit.Codec
	// Options are muxer and format context options, passed to
	// avformat_write_header (e.g. movflags, flush_packets). An option the
	// muxer does not know is an error.
	Options map[string]string

	fc     *astiav.FormatContext
	ioc    *astiav.IOContext
	out    *output
	pkt    *astiav.Packet
	video  *track
	audio  *track
	avcc   bool // MP4/Matroska: length-prefixed NAL units
	header bool
	failed bool // WritePacket returned an output error
	buf    []byte

	started bool
	base    time.Duration
}

// track is one output stream.
type track struct {
	index   int
	tb      astiav.Rational
	lastDTS int64
	written bool
}

// Initialize validates the configuration, creates the output and writes
// the container header.
func (m *Muxer) Initialize() (err error) {
	if err := m.validate(); err != nil {
		return err
	}
	if m.PacketSize <= 0 {
		m.PacketSize = defaultFileBuffer
	}
	m.fc, err = astiav.AllocOutputFormatContext(nil, m.Format, "")
	if err != nil || m.fc == nil {
		return fmt.Errorf("unknown container format %q: %w", m.Format, errors.Join(err, errors.New("no such muxer")))
	}
	defer func() {
		if err != nil {
			// The output file is closed too; its error joins the first.
			err = errors.Join(err, m.free())
		}
	}()
	m.avcc = m.Format != "mpegts"
	if err := m.addStreams(); err != nil {
		return err
	}
	if err := m.openOutput(); err != nil {
		return err
	}
	if err := m.writeHeader(); err != nil {
		return err
	}
	m.pkt = astiav.AllocPacket()
	return nil
}

func (m *Muxer) validate() error {
	switch {
	case m.Format == "":
		return errors.New("muxer needs a container format")
	case m.Path == "" && m.Writer == nil:
		return errors.New("muxer needs an output path or writer")
	case m.Path != "" && m.Writer != nil:
		return errors.New("muxer takes an output path or a writer, not both")
	case m.Tracks.Video == nil && m.AudioCodec == 0:
		return errors.New("muxer has no track to write")
	}
	if v := m.Tracks.Video; v != nil && v.Codec != unit.CodecH264 && v.Codec != unit.CodecHEVC && v.Codec != unit.CodecAV1 {
		return fmt.Errorf("muxer: unsupported video codec %s", v.Codec)
	}
	if v := m.Tracks.Video; v != nil && v.Codec == unit.CodecAV1 && m.Format == "mpegts" {
		return errors.New("muxer: AV1 video does not go in MPEG-TS here: record to Matroska (.mkv) or MP4")
	}
	if m.AudioCodec != 0 && m.Tracks.AudioFor(m.AudioCodec) == nil {
		return fmt.Errorf("muxer: the stream has no %s audio track", m.AudioCodec)
	}
	return nil
}

func (m *Muxer) addStreams() error {
	if v := m.Tracks.Video; v != nil {
		t, err := m.addVideo(v)
		if err != nil {
			return fmt.Errorf("add video stream: %w", err)
		}
		m.video = t
	}
	if m.AudioCodec != 0 {
		t, err := m.addAudio(m.Tracks.AudioFor(m.AudioCodec))
		if err != nil {
			return fmt.Errorf("add audio stream: %w", err)
		}
		m.audio = t
	}
	return nil
}

func (m *Muxer) addVideo(v *unit.VideoParams) (*track, error) {
	id, extra, err := m.videoConfig(v)
	if err != nil {
		return nil, err
	}
	s := m.fc.NewStream(nil)
	if s == nil {
		return nil, errors.New("allocating stream failed")
	}
	cp := s.CodecParameters()
	cp.SetMediaType(astiav.MediaTypeVideo)
	cp.SetCodecID(id)
	cp.SetCodecTag(0)
	cp.SetWidth(v.Width)
	cp.SetHeight(v.Height)
	cp.SetPixelFormat(astiav.PixelFormatYuv420P)
	if len(extra) > 0 {
		if err := cp.SetExtraData(extra); err != nil {
			return nil, fmt.Errorf("set extradata: %w", err)
		}
	}
	if v.FPS > 0 {
		s.SetAvgFrameRate(astiav.NewRational(v.FPS, 1))
		s.SetRFrameRate(astiav.NewRational(v.FPS, 1))
	}
	s.SetTimeBase(astiav.NewRational(1, 90000))
	return &track{index: s.Index()}, nil
}

// videoConfig is the codec id and extradata of v's stream: H.264 as
// avcC (FLV, MP4) or Annex B, HEVC and AV1 as newVideoConfig says.
func (m *Muxer) videoConfig(v *unit.VideoParams) (astiav.CodecID, []byte, error) {
	if v.Codec == unit.CodecHEVC || v.Codec == unit.CodecAV1 {
		return newVideoConfig(v)
	}
	if m.avcc {
		extra, err := AVCConfig(v.SPS, v.PPS)
		return astiav.CodecIDH264, extra, err
	}
	if len(v.SPS) > 0 && len(v.PPS) > 0 {
		return astiav.CodecIDH264, AnnexBConfig(v.SPS, v.PPS), nil
	}
	return astiav.CodecIDH264, nil, nil
}

func (m *Muxer) addAudio(a *unit.AudioParams) (*track, error) {
	var id astiav.CodecID
	switch a.Codec {
	case unit.CodecAAC:
		id = astiav.CodecIDAac
	case unit.CodecOpus:
		id = astiav.CodecIDOpus
	default:
		return nil, fmt.Errorf("unsupported audio codec %s", a.Codec)
	}
	var layout astiav.ChannelLayout
	switch a.Channels {
	case 1:
		layout = astiav.ChannelLayoutMono
	case 2:
		layout = astiav.ChannelLayoutStereo
	default:
		return nil, fmt.Errorf("unsupported channel count %d", a.Channels)
	}
	if a.SampleRate <= 0 {
		return nil, fmt.Errorf("invalid sample rate %d", a.SampleRate)
	}
	s := m.fc.NewStream(nil)
	if s == nil {
		return nil, errors.New("allocating stream failed")
	}
	cp := s.CodecParameters()
	cp.SetMediaType(astiav.MediaTypeAudio)
	cp.SetCodecID(id)
	cp.SetCodecTag(0)
	cp.SetSampleRate(a.SampleRate)
	cp.SetChannelLayout(layout)
	cp.SetFrameSize(a.FrameSize)
	if len(a.Config) > 0 {
		if err := cp.SetExtraData(a.Config); err != nil {
			return nil, fmt.Errorf("set extradata: %w", err)
		}
	}
	s.SetTimeBase(astiav.NewRational(1, a.SampleRate))
	return &track{index: s.Index()}, nil
}

func (m *Muxer) openOutput() error {
	if m.Path != "" {
		o, err := openFile(m.Path)
		if err != nil {
			return err
		}
		m.out = o
	} else {
		m.out = newWriterOutput(m.Writer)
	}
	var seek astiav.IOContextSeekFunc
	if m.out.s != nil {
		seek = m.out.seek
	}
	ioc, err := astiav.AllocIOContext(m.PacketSize, true, nil, seek, m.out.write)
	if err != nil {
		return fmt.Errorf("allocate i/o context: %w", err)
	}
	m.ioc = ioc
	m.fc.SetPb(ioc)
	return nil
}

func (m *Muxer) writeHeader() error {
	dict := astiav.NewDictionary()
	defer dict.Free()
	for k, v := range m.Options {
		if err := dict.Set(k, v, 0); err != nil {
			return fmt.Errorf("muxer option %s: %w", k, err)
		}
	}
	if err := m.fc.WriteHeader(dict); err != nil {
		return m.wrapIOErr("write %s header: %w", m.Format, err)
	}
	m.header = true
	if e := dict.Get("", nil, astiav.NewDictionaryFlags(astiav.DictionaryFlagIgnoreSuffix)); e != nil {
		return fmt.Errorf("unknown %s muxer option %q", m.Format, e.Key())
	}
	streams := m.fc.Streams()
	for _, t := range []*track{m.video, m.audio} {
		if t != nil {
			t.tb = streams[t.index].TimeBase()
		}
	}
	return nil
}

// wrapIOErr prefers the Go error of a failed write over libavformat's code.
func (m *Muxer) wrapIOErr(format, what string, err error) error {
	if m.out != nil && m.out.err != nil {
		err = m.out.err
	}
	return fmt.Errorf(format, what, err)
}

// Bytes returns the size of the output written so far.
func (m *Muxer) Bytes() int64 {
	if m.out == nil {
		return 0
	}
	return m.out.size.Load()
}
