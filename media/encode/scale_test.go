package encode

import (
	"context"
	"strings"
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

// TestScalerFillsNearAspect: 1280x720 into 854x480 (16:9 within 0.1 %)
// fills the whole output, as ffmpeg's scale=854:480 does, with no black
// column at the edge; its pixels equal that scale's.
func TestScalerFillsNearAspect(t *testing.T) {
	src := readTestPicture(t, 1280, 720)
	_, dst := scaleOnce(t, src, 854, 480)
	if dst.Width() != 854 || dst.Height() != 480 {
		t.Fatalf("dst %dx%d, want 854x480", dst.Width(), dst.Height())
	}
	y := lumaPlane(t, dst)
	for _, x := range []int{0, 1, 852, 853} {
		dark := 0
		for row := range 480 {
			if y[row*854+x] < 20 {
				dark++
			}
		}
		if dark == 480 {
			t.Errorf("column %d is black from top to bottom: a bar", x)
		}
	}
	// The same conversion as one plain lavfi scale.
	ref := &Scaler{Width: 854, Height: 480, PixelFormat: astiav.PixelFormatYuv420P}
	if got, want := ref.filterSpec(1280, 720), "scale=w=854:h=480:flags=bilinear,setsar=1,format=pix_fmts=yuv420p"; got != want {
		t.Errorf("filter %q, want %q", got, want)
	}
	for _, c := range []struct {
		w, h, ow, oh int
		vertical     bool
		near         bool
	}{
		{1280, 720, 854, 480, false, true},
		{1920, 1080, 1280, 720, false, true},
		{1280, 720, 720, 1280, true, true},   // crop 404x720 into 720x1280: 0.25 %
		{1920, 1080, 1080, 1920, true, true}, // crop 606x1080: 0.25 %
		{320, 240, 640, 360, false, false},   // 4:3 into 16:9: bars
		{1280, 720, 640, 480, false, false},
	} {
		s := &Scaler{Width: c.ow, Height: c.oh, PixelFormat: astiav.PixelFormatYuv420P, Vertical: c.vertical}
		if barred := strings.Contains(s.filterSpec(c.w, c.h), "pad="); barred == c.near {
			t.Errorf("%dx%d into %dx%d (vertical %t): bars %t, want %t", c.w, c.h, c.ow, c.oh, c.vertical, barred, !c.near)
		}
	}
}
