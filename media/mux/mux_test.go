package mux_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golive/media/mux"
	"golive/media/testpeer"
	"golive/media/unit"
)

func analyze(t *testing.T, path string) *testpeer.Analysis {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := testpeer.Analyze(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// checkFixtureOutput asserts that ffprobe decodes the whole fixture from
// the file: codecs, size, frame counts, key frame cadence, timestamps.
func checkFixtureOutput(t *testing.T, path string, fx *fixture) {
	t.Helper()
	a := analyze(t, path)
	if len(a.Errors) > 0 {
		t.Errorf("decode errors: %q", a.Errors)
	}
	v, au := a.Stream("video"), a.Stream("audio")
	if v == nil || au == nil {
		t.Fatalf("streams: %+v", a.Streams)
	}
	if v.CodecName != "h264" || v.Width != 1280 || v.Height != 720 {
		t.Errorf("video stream %s %dx%d", v.CodecName, v.Width, v.Height)
	}
	if au.CodecName != "aac" || au.SampleRate != "48000" || au.Channels != 2 {
		t.Errorf("audio stream %s %s Hz %d ch", au.CodecName, au.SampleRate, au.Channels)
	}
	if n := a.Count("video"); n != fx.video {
		t.Errorf("decoded %d video frames, want %d", n, fx.video)
	}
	// The AAC decoder may hold back the very last frame.
	if n := a.Count("audio"); n < fx.audio-2 || n > fx.audio {
		t.Errorf("decoded %d audio frames, want %d", n, fx.audio)
	}
	if k := a.KeyFrameIndexes(); len(k) != 2 || k[0] != 0 || k[1] != 60 {
		t.Errorf("key frames at %v, want [0 60]", k)
	}
	first, last := -1.0, -1.0
	for _, f := range a.Frames {
		if f.MediaType == "video" {
			if first < 0 {
				first = f.Time()
			}
			last = f.Time()
		}
	}
	wantLast := float64(fx.video-1) / 30
	if first > 0.01 || last < wantLast-0.02 || last > wantLast+0.02 {
		t.Errorf("video from %.3f s to %.3f s, want 0 to %.3f", first, last, wantLast)
	}
}

func TestMuxFormatsDecode(t *testing.T) {
	testpeer.RequireBinaries(t, "ffmpeg", "ffprobe")
	fx := loadFixture(t)
	cases := []struct {
		name, format, ext string
		opts              map[string]string
	}{
		{"matroska", "matroska", ".mkv", nil},
		{"fragmented-mp4", "mp4", ".mp4", map[string]string{"movflags": "+frag_keyframe+empty_moov+default_base_moof"}},
		{"plain-mp4", "mp4", ".mp4", nil},
		{"mpegts", "mpegts", ".ts", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out"+c.ext)
			m := &mux.Muxer{Format: c.format, Path: path, Tracks: fx.tracks,
				AudioCodec: unit.CodecAAC, Options: c.opts}
			muxAll(t, m, fx.packets)
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if m.Bytes() != st.Size() {
				t.Errorf("Bytes() = %d, file has %d", m.Bytes(), st.Size())
			}
			checkFixtureOutput(t, path, fx)
		})
	}
}

// chunkWriter records the size of every write.
type chunkWriter struct {
	buf    bytes.Buffer
	chunks []int
}

func (w *chunkWriter) Write(b []byte) (int, error) {
	w.chunks = append(w.chunks, len(b))
	return w.buf.Write(b)
}

func TestMuxWriterPacketSize(t *testing.T) {
	testpeer.RequireBinaries(t, "ffprobe")
	fx := loadFixture(t)
	w := &chunkWriter{}
	m := &mux.Muxer{Format: "mpegts", Writer: w, PacketSize: 7 * 188, Tracks: fx.tracks,
		AudioCodec: unit.CodecAAC, Options: map[string]string{"flush_packets": "1"}}
	muxAll(t, m, fx.packets)
	if len(w.chunks) < 100 {
		t.Fatalf("only %d writes", len(w.chunks))
	}
	for i, n := range w.chunks {
		if n > 1316 || n%188 != 0 {
			t.Fatalf("write %d has %d bytes: want at most 1316, whole TS packets", i, n)
		}
	}
	if int64(w.buf.Len()) != m.Bytes() {
		t.Errorf("Bytes() = %d, writer got %d", m.Bytes(), w.buf.Len())
	}
	path := filepath.Join(t.TempDir(), "out.ts")
	if err := os.WriteFile(path, w.buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	checkFixtureOutput(t, path, fx)
}

// TestMuxRebasesTimestamps feeds a stream joined late (first key frame at
// 10 s, audio starting before it): the file starts at zero with video.
func TestMuxRebasesTimestamps(t *testing.T) {
	testpeer.RequireBinaries(t, "ffprobe")
	fx := loadFixture(t)
	path := filepath.Join(t.TempDir(), "late.mkv")
	m := &mux.Muxer{Format: "matroska", Path: path, Tracks: fx.tracks, AudioCodec: unit.CodecAAC}
	if err := m.Initialize(); err != nil {
		t.Fatal(err)
	}
	shift := 10 * time.Second
	skippedAudio := 0
	for _, p := range fx.packets {
		q := *p
		q.PTS += shift
		q.DTS += shift
		if q.Codec == unit.CodecAAC {
			// Audio runs 50 ms ahead of video, as if the video encoder
			// were slower: the first few audio frames precede the key frame.
			q.PTS -= 50 * time.Millisecond
			q.DTS -= 50 * time.Millisecond
			if q.DTS < shift {
				skippedAudio++
			}
		}
		if err := m.WritePacket(&q); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	a := analyze(t, path)
	if len(a.Errors) > 0 {
		t.Errorf("decode errors: %q", a.Errors)
	}
	if a.Count("video") != fx.video {
		t.Errorf("%d video frames, want %d", a.Count("video"), fx.video)
	}
	if skippedAudio == 0 {
		t.Fatal("test setup: no audio before the key frame")
	}
	var firstV, firstA float64 = -1, -1
	for _, f := range a.Frames {
		if f.MediaType == "video" && firstV < 0 {
			firstV = f.Time()
		}
		if f.MediaType == "audio" && firstA < 0 {
			firstA = f.Time()
		}
	}
	if firstV != 0 {
		t.Errorf("first video frame at %.3f s, want 0", firstV)
	}
	// The first audio frame kept starts 50 ms minus a whole number of
	// 21.3 ms frames after the key frame: within one audio frame of zero.
	if firstA < 0 || firstA > 0.0214 {
		t.Errorf("first audio frame at %.3f s, want within one frame after 0", firstA)
	}
}

func TestAVCConfig(t *testing.T) {
	sps := []byte{0x67, 0x64, 0x00, 0x1f, 0xac, 0xd9}
	pps := []byte{0x68, 0xeb, 0xe3}
	got, err := mux.AVCConfig(sps, pps)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{1, 0x64, 0x00, 0x1f, 0xff, 0xe1, 0, 6, 0x67, 0x64, 0x00, 0x1f, 0xac, 0xd9, 1, 0, 3, 0x68, 0xeb, 0xe3}
	if !bytes.Equal(got, want) {
		t.Errorf("avcC = % x\nwant   % x", got, want)
	}
	if _, err := mux.AVCConfig(pps, sps); err == nil {
		t.Error("swapped parameter sets accepted")
	}
	if _, err := mux.AVCConfig(nil, pps); err == nil {
		t.Error("missing sps accepted")
	}
	au := mux.AppendAVCC(nil, [][]byte{{0x09, 0xf0}, {0x65, 1, 2}})
	if !bytes.Equal(au, []byte{0, 0, 0, 3, 0x65, 1, 2}) {
		t.Errorf("AppendAVCC = % x", au)
	}
}

type failingWriter struct {
	n, limit int
}

var errDiskFull = errors.New("disk full")

func (w *failingWriter) Write(b []byte) (int, error) {
	if w.n+len(b) > w.limit {
		return 0, errDiskFull
	}
	w.n += len(b)
	return len(b), nil
}

func TestMuxWriteErrorSurfaces(t *testing.T) {
	fx := loadFixture(t)
	m := &mux.Muxer{Format: "mpegts", Writer: &failingWriter{limit: 100_000}, PacketSize: 1316,
		Tracks: fx.tracks, AudioCodec: unit.CodecAAC}
	if err := m.Initialize(); err != nil {
		t.Fatal(err)
	}
	var werr error
	for _, p := range fx.packets {
		if werr = m.WritePacket(p); werr != nil {
			break
		}
	}
	cerr := m.Close()
	if !errors.Is(werr, errDiskFull) {
		t.Errorf("WritePacket error = %v, want the writer's error", werr)
	}
	if cerr != nil {
		t.Errorf("Close error = %v, want nil: WritePacket already reported the failure", cerr)
	}
}

func TestMuxConfigErrors(t *testing.T) {
	fx := loadFixture(t)
	dir := t.TempDir()
	noSPS := *fx.tracks.Video
	noSPS.SPS = nil
	cases := []struct {
		name string
		m    mux.Muxer
		want string
	}{
		{"no format", mux.Muxer{Path: filepath.Join(dir, "a"), Tracks: fx.tracks}, "format"},
		{"unknown format", mux.Muxer{Format: "nope", Path: filepath.Join(dir, "a"), Tracks: fx.tracks}, `"nope"`},
		{"no output", mux.Muxer{Format: "matroska", Tracks: fx.tracks}, "output"},
		{"missing dir", mux.Muxer{Format: "matroska", Path: filepath.Join(dir, "no", "x.mkv"), Tracks: fx.tracks}, "no such file"},
		{"no sps", mux.Muxer{Format: "mp4", Path: filepath.Join(dir, "b.mp4"), Tracks: unit.Tracks{Video: &noSPS}}, "sps"},
		{"no opus track", mux.Muxer{Format: "matroska", Path: filepath.Join(dir, "c.mkv"), Tracks: fx.tracks, AudioCodec: unit.CodecOpus}, "opus"},
		{"bad option", mux.Muxer{Format: "matroska", Path: filepath.Join(dir, "d.mkv"), Tracks: fx.tracks,
			Options: map[string]string{"cluster_time_lmit": "1000"}}, "cluster_time_lmit"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.m.Initialize()
			if err == nil {
				c.m.Close()
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
		})
	}
	var m mux.Muxer
	if err := m.WritePacket(fx.packets[0]); err == nil {
		t.Error("WritePacket before Initialize accepted")
	}
}

// muxAll initializes m, writes every packet and closes it.
func muxAll(t *testing.T, m *mux.Muxer, packets []*unit.Packet) {
	t.Helper()
	if err := m.Initialize(); err != nil {
		t.Fatal(err)
	}
	for _, p := range packets {
		if err := m.WritePacket(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
}
