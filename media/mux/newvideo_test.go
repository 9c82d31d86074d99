package mux_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/asticode/go-astiav"

	"golive/media/encode"
	"golive/media/mux"
	"golive/media/testpeer"
	"golive/media/unit"
)

// TestMuxHEVCAndAV1 records 2 s of libx265 and libsvtav1 output  to Matroska, MP4 and MPEG-TS (HEVC only): ffprobe decodes every frame at
// the right size with no error.
func TestMuxHEVCAndAV1(t *testing.T) {
	testpeer.RequireBinaries(t, "ffprobe")
	for _, c := range []struct{ encoder, codec string }{{"libx265", "hevc"}, {"libsvtav1", "av1"}} {
		tracks, pkts := encodeClip(t, c.encoder)
		for _, f := range []struct{ format, ext string }{{"matroska", ".mkv"}, {"mp4", ".mp4"}, {"mpegts", ".ts"}} {
			path := filepath.Join(t.TempDir(), c.codec+f.ext)
			m := &mux.Muxer{Format: f.format, Path: path, Tracks: tracks}
			if c.codec == "av1" && f.format == "mpegts" {
				if err := m.Initialize(); err == nil || !strings.Contains(err.Error(), "AV1 video does not go in MPEG-TS") {
					t.Errorf("AV1 in MPEG-TS: %v, want refused", err)
				}
				continue
			}
			if err := m.Initialize(); err != nil {
				t.Fatalf("%s %s: %v", c.codec, f.format, err)
			}
			for _, p := range pkts {
				if err := m.WritePacket(p); err != nil {
					t.Fatalf("%s %s: %v", c.codec, f.format, err)
				}
			}
			if err := m.Close(); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			a, err := testpeer.Analyze(ctx, path)
			cancel()
			if err != nil {
				t.Fatal(err)
			}
			v := a.Stream("video")
			if v == nil || v.CodecName != c.codec || v.Width != 320 || v.Height != 180 {
				t.Fatalf("%s: streams %+v", path, a.Streams)
			}
			if len(a.Errors) > 0 || a.Count("video") != len(pkts) {
				t.Errorf("%s: %d of %d frames decoded, errors %q", path, a.Count("video"), len(pkts), a.Errors)
			}
		}
	}
}

// encodeClip encodes 60 frames (2 s at 30 fps) with encoder.
func encodeClip(t *testing.T, encoder string) (unit.Tracks, []*unit.Packet) {
	t.Helper()
	v := &encode.Video{Encoder: encoder, Width: 320, Height: 180, FPS: 30, Bitrate: 300_000, KeyframeInterval: time.Second}
	if err := v.Initialize(); err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	f := astiav.AllocFrame()
	defer f.Free()
	f.SetWidth(320)
	f.SetHeight(180)
	f.SetPixelFormat(astiav.PixelFormatYuv420P)
	if err := f.AllocBuffer(0); err != nil {
		t.Fatal(err)
	}
	if err := f.ImageFillBlack(); err != nil {
		t.Fatal(err)
	}
	var pkts []*unit.Packet
	for i := range int64(60) {
		p, err := v.Encode(f, i, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		pkts = append(pkts, p...)
	}
	return unit.Tracks{Video: v.Params()}, pkts
}
