package capture

import (
	"context"
	"image"
	"image/color"
	"runtime"
	"testing"
	"time"

	"github.com/asticode/go-astiav"
	"go.uber.org/goleak"

	"golive/media/testpeer"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func readFrames(t *testing.T, src VideoSource, n int) []VideoFrame {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := src.Start(time.Now()); err != nil {
		t.Fatal(err)
	}
	var out []VideoFrame
	for range n {
		f, err := src.Read(ctx)
		if err != nil {
			t.Fatalf("read frame %d: %v", len(out), err)
		}
		out = append(out, VideoFrame{Frame: f.Frame.Clone(), Time: f.Time})
	}
	t.Cleanup(func() {
		for _, f := range out {
			f.Frame.Free()
		}
	})
	return out
}

// TestScreenFrames grabs an Xvfb screen: full-size bgr0 pictures, and a
// region of the requested size at the requested offset.
func TestScreenFrames(t *testing.T) {
	display := testpeer.StartXvfb(t)
	img := testpeer.SolidImage(1280, 720, color.RGBA{10, 200, 30, 255})
	for y := 100; y < 200; y++ {
		for x := 300; x < 500; x++ {
			img.Set(x, y, color.RGBA{250, 250, 0, 255})
		}
	}
	testpeer.ShowImage(t, display, img)
	for _, tc := range []struct {
		region image.Rectangle
		w, h   int
		want   color.RGBA
	}{
		{image.Rectangle{}, 1280, 720, color.RGBA{10, 200, 30, 255}},
		{image.Rect(300, 100, 500, 200), 200, 100, color.RGBA{250, 250, 0, 255}},
	} {
		src, err := NewScreen(ScreenConfig{Display: display, Region: tc.region, FPS: 30})
		if err != nil {
			t.Fatal(err)
		}
		frames := readFrames(t, src, 3)
		src.Close()
		f := frames[2].Frame
		if f.PixelFormat() != astiav.PixelFormatBgr0 || f.Width() != tc.w || f.Height() != tc.h {
			t.Fatalf("region %v: %s %dx%d, want bgr0 %dx%d", tc.region, f.PixelFormat(), f.Width(), f.Height(), tc.w, tc.h)
		}
		b, err := f.Data().Bytes(1)
		if err != nil {
			t.Fatal(err)
		}
		mid := (tc.h/2*tc.w + tc.w/2) * 4
		if got := (color.RGBA{b[mid+2], b[mid+1], b[mid], 255}); got != tc.want {
			t.Errorf("region %v: centre pixel %v, want %v", tc.region, got, tc.want)
		}
		if !frames[1].Time.After(frames[0].Time) {
			t.Errorf("capture times %v, %v not increasing", frames[0].Time, frames[1].Time)
		}
	}
}

// TestTestVideoPacing checks that the synthetic source stamps frames on
// its ideal clock: frame i at epoch + i/fps.
func TestTestVideoPacing(t *testing.T) {
	src, err := NewTestVideo(320, 180, 30)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	epoch := time.Now()
	if err := src.Start(epoch); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range 5 {
		f, err := src.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := epoch.Add(time.Duration(i) * time.Second / 30); !f.Time.Equal(want) {
			t.Errorf("frame %d stamped %v after epoch, want %v", i, f.Time.Sub(epoch), want.Sub(epoch))
		}
		if f.Frame.Width() != 320 || f.Frame.Height() != 180 {
			t.Fatalf("frame %dx%d", f.Frame.Width(), f.Frame.Height())
		}
		if time.Now().Before(f.Time) {
			t.Errorf("frame %d released before its time", i)
		}
	}
}

// TestTestAudioPattern reads the synthetic sound: contiguous chunk times,
// a loud beep during the first 100 ms of each second, the tone after.
func TestTestAudioPattern(t *testing.T) {
	src, err := NewTestAudio()
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	epoch := time.Now().Add(-2 * time.Second) // no waiting: already due
	if err := src.Start(epoch); err != nil {
		t.Fatal(err)
	}
	var samples []float32
	for int64(len(samples)) < 2*durationToSamples(400*time.Millisecond) {
		c, err := src.Read(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if want := epoch.Add(samplesToDuration(int64(len(samples) / 2))); !c.Time.Equal(want) {
			t.Fatalf("chunk at %v, want %v", c.Time.Sub(epoch), want.Sub(epoch))
		}
		samples = append(samples, c.Samples...)
	}
	peak := func(from, to time.Duration) float32 {
		var p float32
		for _, v := range samples[2*durationToSamples(from) : 2*durationToSamples(to)] {
			p = max(p, v, -v)
		}
		return p
	}
	beep, tone := peak(0, 90*time.Millisecond), peak(110*time.Millisecond, 400*time.Millisecond)
	if beep < 3.16*tone || tone == 0 {
		t.Errorf("beep peak %v, tone peak %v: want the beep >= 10 dB louder", beep, tone)
	}
}

func durationToSamples(d time.Duration) int64 { return int64(d) * SampleRate / int64(time.Second) }

// The tone's chunks reuse one buffer: reading the test source allocates
// only astiav's copy of each 10 ms packet (3 840 bytes, two per chunk),
// not a new 7 680-byte chunk every 20 ms as well.
func TestTestAudioReusesItsBuffer(t *testing.T) {
	src, err := NewTestAudio()
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if err := src.Start(time.Now().Add(-time.Minute)); err != nil { // no waiting: already due
		t.Fatal(err)
	}
	read := func() AudioChunk {
		c, err := src.Read(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	first := read()
	chunkBytes := float64(len(first.Samples) * 4)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const reads = 100
	for range reads {
		read()
	}
	runtime.ReadMemStats(&after)
	bytesPerRead := float64(after.TotalAlloc-before.TotalAlloc) / reads
	t.Logf("%.0f bytes allocated per read of a %.0f-byte chunk", bytesPerRead, chunkBytes)
	if bytesPerRead >= 1.5*chunkBytes {
		t.Errorf("%.0f bytes allocated per read of a %.0f-byte chunk: want the chunk's buffer reused", bytesPerRead, chunkBytes)
	}
}
