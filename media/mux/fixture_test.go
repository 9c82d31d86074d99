package mux_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"golive/media/unit"
)

// fixture is an encoded test stream made by the ffmpeg program (not by
// GoLive's engine), parsed into unit.Packets: 720p30 H.264 with a key frame
// every 60 frames, and 48 kHz stereo AAC.
type fixture struct {
	tracks  unit.Tracks
	packets []*unit.Packet // in DTS order
	video   int
	audio   int
}

const fixtureSeconds = 4

var (
	fixtureOnce sync.Once
	fixtureVal  *fixture
	fixtureErr  error
)

func loadFixture(t *testing.T) *fixture {
	t.Helper()
	fixtureOnce.Do(func() { fixtureVal, fixtureErr = makeFixture() })
	if fixtureErr != nil {
		t.Fatalf("make fixture: %v", fixtureErr)
	}
	return fixtureVal
}

func makeFixture() (*fixture, error) {
	dir, err := os.MkdirTemp("", "muxfixture")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	vPath, aPath := filepath.Join(dir, "v.h264"), filepath.Join(dir, "a.aac")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-nostdin", "-v", "error",
		"-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30",
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
		"-map", "0:v", "-t", fmt.Sprint(fixtureSeconds), "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
		"-g", "60", "-keyint_min", "60", "-sc_threshold", "0", "-pix_fmt", "yuv420p",
		"-bsf:v", "h264_metadata=aud=insert", "-f", "h264", vPath,
		"-map", "1:a", "-t", fmt.Sprint(fixtureSeconds), "-c:a", "aac", "-ac", "2", "-ar", "48000", "-f", "adts", aPath)
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("ffmpeg: %w: %s", err, out)
	}
	f := &fixture{}
	if err := f.parseVideo(vPath); err != nil {
		return nil, err
	}
	if err := f.parseAudio(aPath); err != nil {
		return nil, err
	}
	sort.SliceStable(f.packets, func(i, j int) bool { return f.packets[i].DTS < f.packets[j].DTS })
	return f, nil
}

// parseVideo splits the Annex B stream into access units at each AUD.
func (f *fixture) parseVideo(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var aus [][][]byte
	for _, n := range unit.SplitAnnexB(nil, b) {
		if unit.NALUType(n) == unit.NALUTypeAUD || len(aus) == 0 {
			aus = append(aus, nil)
		}
		aus[len(aus)-1] = append(aus[len(aus)-1], n)
	}
	frame := time.Second / 30
	for i, au := range aus {
		p := &unit.Packet{Codec: unit.CodecH264, PTS: time.Duration(i) * frame, Duration: frame}
		p.DTS = p.PTS
		for _, n := range au {
			switch unit.NALUType(n) {
			case unit.NALUTypeIDR:
				p.Key = true
			case unit.NALUTypeSPS:
				if f.tracks.Video == nil {
					f.tracks.Video = &unit.VideoParams{Codec: unit.CodecH264, Width: 1280, Height: 720, FPS: 30}
				}
				f.tracks.Video.SPS = bytes.Clone(n)
			case unit.NALUTypePPS:
				f.tracks.Video.PPS = bytes.Clone(n)
			}
		}
		p.Data = unit.JoinAnnexB(nil, au)
		p.NALUs = unit.SplitAnnexB(nil, p.Data)
		f.packets = append(f.packets, p)
		f.video++
	}
	if f.tracks.Video == nil || f.video == 0 {
		return fmt.Errorf("no h264 parameter sets in %s", path)
	}
	return nil
}

// parseAudio splits ADTS frames and derives the AudioSpecificConfig.
func (f *fixture) parseAudio(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	rates := []int{96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350}
	for i := 0; len(b) >= 7; i++ {
		if b[0] != 0xff || b[1]&0xf0 != 0xf0 {
			return fmt.Errorf("adts sync lost at frame %d", i)
		}
		profile := int(b[2]>>6) + 1
		freq := int(b[2]>>2) & 0xf
		chans := int(b[2]&1)<<2 | int(b[3]>>6)
		size := int(b[3]&3)<<11 | int(b[4])<<3 | int(b[5]>>5)
		hdr := 7
		if b[1]&1 == 0 {
			hdr = 9
		}
		if size > len(b) || size < hdr || freq >= len(rates) {
			return fmt.Errorf("bad adts frame %d", i)
		}
		if f.tracks.Audio == nil {
			asc := []byte{byte(profile<<3 | freq>>1), byte(freq&1<<7 | chans<<3)}
			f.tracks.Audio = []*unit.AudioParams{{Codec: unit.CodecAAC, SampleRate: rates[freq],
				Channels: chans, FrameSize: 1024, Config: asc}}
		}
		dur := time.Duration(1024) * time.Second / time.Duration(rates[freq])
		pts := time.Duration(i*1024) * time.Second / time.Duration(rates[freq])
		f.packets = append(f.packets, &unit.Packet{Codec: unit.CodecAAC, PTS: pts, DTS: pts,
			Duration: dur, Key: true, Data: bytes.Clone(b[hdr:size])})
		f.audio++
		b = b[size:]
	}
	if f.audio == 0 {
		return fmt.Errorf("no aac frames in %s", path)
	}
	return nil
}
