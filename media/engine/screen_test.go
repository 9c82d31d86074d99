package engine

import (
	"image"
	"image/color"
	"image/draw"
	"testing"
	"time"

	"github.com/asticode/go-astiav"

	"golive/media/testpeer"
	"golive/media/unit"
)

// decodePictures decodes H.264 packets to Go images.
func decodePictures(t *testing.T, video []*unit.Packet) []image.Image {
	d := newDecoder(t, astiav.CodecIDH264, nil)
	var out []image.Image
	d.decode(video, func(_ time.Duration, f *astiav.Frame) {
		img, err := f.Data().GuessImageFormat()
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Data().ToImage(img); err != nil {
			t.Fatal(err)
		}
		out = append(out, img)
	})
	return out
}

func near(c color.Color, want color.RGBA, tol int) bool {
	r, g, b, _ := c.RGBA()
	d := func(a uint32, w uint8) bool { v := int(a>>8) - int(w); return v <= tol && v >= -tol }
	return d(r, want.R) && d(g, want.G) && d(b, want.B)
}

func runScreen(t *testing.T, display string, region image.Rectangle, w, h int) (*Engine, []*unit.Packet) {
	e := &Engine{Config: Config{
		Video:  VideoSourceConfig{Kind: KindScreen, Display: display, Region: region},
		Audio:  AudioSourceConfig{Kind: KindNone},
		Width:  w,
		Height: h,
	}}
	if err := e.Initialize(); err != nil {
		t.Fatalf("Initialize: %v", err)
	}
	t.Cleanup(e.Close)
	video, _ := split(collect(t, e, 1500*time.Millisecond))
	if len(video) < 5 {
		t.Fatalf("%d video packets from the screen", len(video))
	}
	return e, video
}

// TestScreenCapture grabs an Xvfb screen showing a known colour and checks
// the colour of the decoded pictures.
func TestScreenCapture(t *testing.T) {
	display := testpeer.StartXvfb(t)
	want := color.RGBA{200, 40, 120, 255}
	testpeer.ShowImage(t, display, testpeer.SolidImage(1280, 720, want))
	e, video := runScreen(t, display, image.Rectangle{}, 640, 360)
	pics := decodePictures(t, video)
	if len(pics) != len(video) {
		t.Fatalf("decoded %d pictures of %d packets", len(pics), len(video))
	}
	last := pics[len(pics)-1]
	if b := last.Bounds(); b.Dx() != 640 || b.Dy() != 360 {
		t.Fatalf("picture %v, want 640x360", b)
	}
	for _, p := range []image.Point{{10, 10}, {320, 180}, {630, 350}} {
		if c := last.At(p.X, p.Y); !near(c, want, 12) {
			t.Errorf("pixel %v = %v, want about %v", p, c, want)
		}
	}
	if tr := e.Stream().Tracks(); len(tr.Audio) != 0 {
		t.Errorf("audio tracks %v without audio codecs", tr.Audio)
	}
}

// TestScreenRegionLetterbox captures the right half of the screen (blue;
// the left half is red) into a 4:3 picture: blue in the middle, black bars
// above and below.
func TestScreenRegionLetterbox(t *testing.T) {
	display := testpeer.StartXvfb(t)
	red, blue := color.RGBA{220, 30, 30, 255}, color.RGBA{30, 30, 220, 255}
	img := testpeer.SolidImage(1280, 720, red)
	draw.Draw(img, image.Rect(640, 0, 1280, 720), image.NewUniform(blue), image.Point{}, draw.Src)
	testpeer.ShowImage(t, display, img)
	_, video := runScreen(t, display, image.Rect(640, 0, 1280, 720), 640, 480)
	pics := decodePictures(t, video)
	last := pics[len(pics)-1]
	black := color.RGBA{0, 0, 0, 255}
	// 640x720 scaled into 640x480 keeps 8:9: 426x480 centred, bars left
	// and right (pillarbox).
	checks := map[image.Point]color.RGBA{
		{320, 240}: blue, {120, 20}: blue, {520, 460}: blue,
		{10, 240}: black, {630, 240}: black,
	}
	for p, want := range checks {
		if c := last.At(p.X, p.Y); !near(c, want, 16) {
			t.Errorf("pixel %v = %v, want about %v", p, c, want)
		}
	}
}
