package rtmp

import (
	"bytes"
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/yutopp/go-amf0"
	"github.com/yutopp/go-flv/tag"

	"golive/media/testpeer"
	"golive/media/unit"
)

// x264ParameterSets encodes one frame with ffmpeg's libx264 and returns
// its SPS and PPS, so the tests use real parameter sets.
func x264ParameterSets(t testing.TB) (sps, pps []byte) {
	t.Helper()
	return x264ParameterSetsAt(t, "1280x720")
}

// x264ParameterSetsAt is x264ParameterSets for a picture size (WxH).
func x264ParameterSetsAt(t testing.TB, size string) (sps, pps []byte) {
	t.Helper()
	testpeer.RequireBinaries(t, "ffmpeg")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size="+size+":rate=30",
		"-frames:v", "1", "-c:v", "libx264", "-profile:v", "high", "-f", "h264", "-").Output()
	if err != nil {
		t.Fatalf("ffmpeg: %v", err)
	}
	for _, n := range unit.SplitAnnexB(nil, out) {
		switch unit.NALUType(n) {
		case unit.NALUTypeSPS:
			sps = n
		case unit.NALUTypePPS:
			pps = n
		}
	}
	if sps == nil || pps == nil {
		t.Fatal("no SPS/PPS in ffmpeg output")
	}
	return sps, pps
}

func TestAVCSequenceHeader(t *testing.T) {
	sps, pps := x264ParameterSets(t)
	b, err := avcSequenceHeader(sps, pps)
	if err != nil {
		t.Fatal(err)
	}
	var vd tag.VideoData
	if err := tag.DecodeVideoData(bytes.NewReader(b), &vd); err != nil {
		t.Fatal(err)
	}
	if vd.FrameType != tag.FrameTypeKeyFrame || vd.CodecID != tag.CodecIDAVC || vd.AVCPacketType != tag.AVCPacketTypeSequenceHeader {
		t.Fatalf("header fields %+v", vd)
	}
	rec := b[5:]
	if rec[0] != 1 || rec[1] != sps[1] || rec[3] != sps[3] || rec[4] != 0xff || rec[5] != 0xe1 {
		t.Fatalf("record header % x", rec[:6])
	}
	n := int(rec[6])<<8 | int(rec[7])
	if !bytes.Equal(rec[8:8+n], sps) || rec[8+n] != 1 {
		t.Fatal("SPS not in the record")
	}
	m := int(rec[9+n])<<8 | int(rec[10+n])
	if !bytes.Equal(rec[11+n:11+n+m], pps) {
		t.Fatal("PPS not in the record")
	}
	if len(rec) != 11+n+m+4 { // high profile: chroma format and bit depths
		t.Fatalf("record length %d, want %d", len(rec), 11+n+m+4)
	}
	if _, err := avcSequenceHeader(nil, pps); err == nil {
		t.Fatal("missing SPS accepted")
	}
	if _, err := avcSequenceHeader([]byte{0x67, 1, 2, 3, 4}, pps); err == nil {
		t.Fatal("garbage SPS accepted")
	}
}

func TestAACSequenceHeader(t *testing.T) {
	asc := []byte{0x11, 0x90} // AAC LC, 48 kHz, stereo
	b, err := aacSequenceHeader(asc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, []byte{0xaf, 0x00, 0x11, 0x90}) {
		t.Fatalf("got % x", b)
	}
	if _, err := aacSequenceHeader([]byte{0xf8}); err == nil {
		t.Fatal("garbage AudioSpecificConfig accepted")
	}
}

func testVideoPacket(key bool) *unit.Packet {
	slice := bytes.Repeat([]byte{0x42}, 20000)
	nalus := [][]byte{{0x09, 0xf0}, {0x06, 0x05, 0x01}, append([]byte{0x65}, slice...)}
	if !key {
		nalus = [][]byte{{0x09, 0xf0}, append([]byte{0x41}, slice...)}
	}
	return &unit.Packet{Codec: unit.CodecH264, Key: key, DTS: time.Second, PTS: time.Second + 66*time.Millisecond,
		NALUs: nalus, Data: unit.JoinAnnexB(nil, nalus)}
}

func TestVideoAndAudioTags(t *testing.T) {
	p := testVideoPacket(true)
	b := appendVideoTag(nil, p)
	want := []byte{0x17, 0x01, 0x00, 0x00, 66, 0, 0, 0, 3, 0x06, 0x05, 0x01, 0, 0, 0x4e, 0x21, 0x65}
	if !bytes.Equal(b[:len(want)], want) || len(b) != 5+4+3+4+20001 {
		t.Fatalf("key frame tag % x (len %d)", b[:20], len(b))
	}
	b = appendVideoTag(b[:0], testVideoPacket(false))
	if b[0] != 0x27 || len(b) != 5+4+20001 {
		t.Fatalf("inter frame tag % x (len %d): the AUD must be dropped", b[:10], len(b))
	}
	neg := testVideoPacket(false)
	neg.PTS = neg.DTS - time.Millisecond
	if b = appendVideoTag(b[:0], neg); b[2] != 0 || b[3] != 0 || b[4] != 0 {
		t.Fatalf("negative composition offset not clamped: % x", b[:5])
	}
	a := appendAudioTag(nil, &unit.Packet{Codec: unit.CodecAAC, Data: []byte{1, 2, 3}})
	if !bytes.Equal(a, []byte{0xaf, 0x01, 1, 2, 3}) {
		t.Fatalf("audio tag % x", a)
	}
	if n := testing.AllocsPerRun(100, func() { b = appendVideoTag(b[:0], p) }); n != 0 {
		t.Fatalf("appendVideoTag allocates %v times per packet", n)
	}
}

func TestMetadataBody(t *testing.T) {
	tr := unit.Tracks{
		Video: &unit.VideoParams{Codec: unit.CodecH264, Width: 1280, Height: 720, FPS: 30, Bitrate: 2_500_000, Encoder: "libx264"},
		Audio: []*unit.AudioParams{{Codec: unit.CodecAAC, SampleRate: 48000, Channels: 2, Bitrate: 128_000}},
	}
	b, err := metadataBody(tr)
	if err != nil {
		t.Fatal(err)
	}
	dec := amf0.NewDecoder(bytes.NewReader(b))
	var name string
	var md map[string]any
	if err := dec.Decode(&name); err != nil || name != "onMetaData" {
		t.Fatalf("name %q: %v", name, err)
	}
	if err := dec.Decode(&md); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"width": 1280.0, "height": 720.0, "framerate": 30.0, "videodatarate": 2500.0,
		"videocodecid": 7.0, "audiodatarate": 128.0, "audiocodecid": 10.0, "audiosamplerate": 48000.0,
		"stereo": true, "encoder": "GoLive (libx264)"}
	for k, v := range want {
		if md[k] != v {
			t.Errorf("%s = %v, want %v", k, md[k], v)
		}
	}
}

// BenchmarkVideoTag measures FLV tag building for a 20 kB frame; steady
// state must report 0 allocs/op.
func BenchmarkVideoTag(b *testing.B) {
	p := testVideoPacket(false)
	var buf []byte
	b.ReportAllocs()
	b.SetBytes(int64(len(p.Data)))
	for b.Loop() {
		buf = appendVideoTag(buf[:0], p)
	}
}

func BenchmarkAudioTag(b *testing.B) {
	p := &unit.Packet{Codec: unit.CodecAAC, Data: make([]byte, 400)}
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = appendAudioTag(buf[:0], p)
	}
}
