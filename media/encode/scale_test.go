package encode

import (
	"context"
	"testing"
	"time"

	"github.com/asticode/go-astiav"

	"golive/media/capture"
)

// readTestPicture returns one frame of the lavfi test pattern (owned by
// the returned source, closed by the test's cleanup).
func readTestPicture(t *testing.T, w, h int) *astiav.Frame {
	t.Helper()
	src, err := capture.NewTestVideo(w, h, 30)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(src.Close)
	if err := src.Start(time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	f, err := src.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return f.Frame
}

func lumaPlane(t *testing.T, f *astiav.Frame) []byte {
	t.Helper()
	b, err := f.Data().Bytes(1)
	if err != nil {
		t.Fatal(err)
	}
	return b[:f.Width()*f.Height()]
}

// scaleOnce converts src with a new w x h yuv420p Scaler; both are freed
// by the test's cleanup.
func scaleOnce(t *testing.T, src *astiav.Frame, w, h int) (*Scaler, *astiav.Frame) {
	t.Helper()
	s := &Scaler{Width: w, Height: h, PixelFormat: astiav.PixelFormatYuv420P}
	t.Cleanup(s.Close)
	dst := astiav.AllocFrame()
	t.Cleanup(dst.Free)
	if err := s.Scale(src, dst); err != nil {
		t.Fatal(err)
	}
	return s, dst
}

// TestScalerPassthroughSharesBuffers: a picture already in the output
// size and format is referenced, not copied (the engine's test source and
// a capture region of the output size cost no conversion).
func TestScalerPassthroughSharesBuffers(t *testing.T) {
	src := readTestPicture(t, 320, 180)
	s, dst := scaleOnce(t, src, 320, 180)
	if s.configured {
		t.Error("a filter graph was built for a picture that needs no conversion")
	}
	if dst.Width() != 320 || dst.Height() != 180 || dst.PixelFormat() != astiav.PixelFormatYuv420P {
		t.Fatalf("dst %dx%d %s", dst.Width(), dst.Height(), dst.PixelFormat().Name())
	}
	if sar := dst.SampleAspectRatio(); sar.Num() != 1 || sar.Den() != 1 {
		t.Errorf("sample aspect ratio %d/%d, want 1/1", sar.Num(), sar.Den())
	}
	// The pattern is not black; blacking the source must show in dst.
	before := lumaPlane(t, dst)
	if countAbove(before, 40) == 0 {
		t.Fatal("test pattern has no bright pixel")
	}
	if err := src.ImageFillBlack(); err != nil {
		t.Fatal(err)
	}
	if n := countAbove(lumaPlane(t, dst), 40); n != 0 {
		t.Errorf("%d bright pixels left in dst after blacking src: dst is a copy", n)
	}
}

// TestScalerConvertsOtherSizes: a 4:3 picture is scaled into a 16:9
// output with black bars, into a buffer of its own.
func TestScalerConvertsOtherSizes(t *testing.T) {
	src := readTestPicture(t, 320, 240)
	_, dst := scaleOnce(t, src, 640, 360)
	if dst.Width() != 640 || dst.Height() != 360 {
		t.Fatalf("dst %dx%d, want 640x360", dst.Width(), dst.Height())
	}
	y := lumaPlane(t, dst)
	// 320x240 scaled to 480x360: bars of 80 columns on each side.
	for _, x := range []int{0, 40, 79, 560, 639} {
		if v := y[180*640+x]; v > 20 {
			t.Errorf("bar pixel (%d,180) = %d, want black", x, v)
		}
	}
	inside := countAbove(y, 40)
	if inside == 0 {
		t.Fatal("no picture inside the bars")
	}
	if err := src.ImageFillBlack(); err != nil {
		t.Fatal(err)
	}
	if n := countAbove(lumaPlane(t, dst), 40); n != inside {
		t.Errorf("converted picture changed with its source (%d bright pixels, then %d)", inside, n)
	}
}

func countAbove(b []byte, v byte) int {
	n := 0
	for _, x := range b {
		if x > v {
			n++
		}
	}
	return n
}
