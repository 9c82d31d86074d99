package engine

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golive/media/testpeer"
	"golive/media/unit"
)

// writeFile writes data to a file in t's temp dir and returns its path.
func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// annexBFile concatenates H.264 packets into an elementary stream file.
func annexBFile(t *testing.T, video []*unit.Packet) string {
	var b []byte
	for _, p := range video {
		b = append(b, p.Data...)
	}
	return writeFile(t, "video.h264", b)
}

// adtsFile wraps raw AAC-LC 48 kHz stereo frames in ADTS headers.
func adtsFile(t *testing.T, audio []*unit.Packet) string {
	var b []byte
	for _, p := range audio {
		n := len(p.Data) + 7
		// ADTS: sync, MPEG-4, no CRC; LC (1), 48 kHz (3), 2 channels.
		b = append(b, 0xFF, 0xF1, 1<<6|3<<2, 2<<6|byte(n>>11),
			byte(n>>3), byte(n&7)<<5|0x1F, 0xFC)
		b = append(b, p.Data...)
	}
	return writeFile(t, "audio.aac", b)
}

// checkDecodes runs ffprobe over the elementary streams.
func checkDecodes(t *testing.T, video, aac []*unit.Packet, width, height int) {
	t.Helper()
	testpeer.RequireBinaries(t, "ffprobe")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, err := testpeer.Analyze(ctx, annexBFile(t, video), "-f", "h264")
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Errors) > 0 {
		t.Errorf("h264 decode errors: %v", a.Errors)
	}
	s := a.Stream("video")
	if s == nil || s.CodecName != "h264" || s.Width != width || s.Height != height || s.PixFmt != "yuv420p" || s.Profile != "High" {
		t.Errorf("ffprobe video stream %+v", s)
	}
	if n := a.Count("video"); n != len(video) {
		t.Errorf("ffprobe decoded %d video frames of %d packets", n, len(video))
	}
	var keys []int
	for i, p := range video {
		if p.Key {
			keys = append(keys, i)
		}
	}
	if got := a.KeyFrameIndexes(); len(got) != len(keys) {
		t.Errorf("ffprobe key frames %v, packets flagged key %v", got, keys)
	}
	if aac == nil {
		return
	}
	a, err = testpeer.Analyze(ctx, adtsFile(t, aac), "-f", "aac")
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Errors) > 0 {
		t.Errorf("aac decode errors: %v", a.Errors)
	}
	if s := a.Stream("audio"); s == nil || s.CodecName != "aac" || s.SampleRate != "48000" || s.Channels != 2 || s.Profile != "LC" {
		t.Errorf("ffprobe audio stream %+v", s)
	}
	if n := a.Count("audio"); n != len(aac) {
		t.Errorf("ffprobe decoded %d audio frames of %d packets", n, len(aac))
	}
}
