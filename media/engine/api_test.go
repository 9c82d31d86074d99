package engine

import (
	"context"
	"errors"
	"image"
	"strings"
	"testing"
	"time"

	"golive/media/encode"
	"golive/media/stream"
	"golive/media/testpeer"
	"golive/media/unit"
)

func TestInitializeRejectsBadConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"odd size", Config{Width: 641, Height: 360}, "even"},
		{"fps", Config{FPS: 500}, "frame rate"},
		{"video kind", Config{Video: VideoSourceConfig{Kind: "webcam"}}, `video source kind "webcam"`},
		{"audio kind", Config{Audio: AudioSourceConfig{Kind: "line-in"}}, `audio source kind "line-in"`},
		{"audio codec", Config{AudioCodecs: []unit.Codec{unit.CodecH264}}, "only aac and opus"},
		{"duplicate codec", Config{AudioCodecs: []unit.Codec{unit.CodecAAC, unit.CodecAAC}}, "twice"},
		{"encoder", Config{Encoder: "h264_nosuch"}, `"h264_nosuch"`},
		{"vaapi", Config{Encoder: "h264_vaapi"}, "h264_vaapi"},
		{"no display", Config{Video: VideoSourceConfig{Kind: KindScreen, Display: ":93999.0"}}, ":93999.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			if cfg.Video.Kind == "" {
				cfg.Video.Kind = KindTest
			}
			if cfg.Audio.Kind == "" {
				cfg.Audio.Kind = KindTest
			}
			e := &Engine{Config: cfg}
			defer e.Close()
			err := e.Initialize()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Initialize = %v, want an error mentioning %s", err, tc.want)
			}
		})
	}
}

func TestHardwareEncoderUnavailable(t *testing.T) {
	// No GPU here: opening NVENC fails with a clear error, not a panic.
	e := &Engine{Config: Config{Video: VideoSourceConfig{Kind: KindTest}, Audio: AudioSourceConfig{Kind: KindNone}, Encoder: "h264_nvenc"}}
	defer e.Close()
	err := e.Initialize()
	if err == nil || !strings.Contains(err.Error(), "h264_nvenc") {
		t.Fatalf("Initialize = %v, want an h264_nvenc error", err)
	}
}

func TestLifecycle(t *testing.T) {
	e := &Engine{Config: Config{Video: VideoSourceConfig{Kind: KindTest}, Audio: AudioSourceConfig{Kind: KindNone}, Width: 320, Height: 180}}
	if err := e.Run(context.Background()); err == nil {
		t.Error("Run before Initialize succeeded")
	}
	if err := e.Initialize(); err != nil {
		t.Fatal(err)
	}
	if err := e.Initialize(); err == nil {
		t.Error("second Initialize succeeded")
	}
	r := e.Stream().Subscribe(stream.ReaderConfig{Name: "lifecycle"})
	done := make(chan error, 1)
	go func() { done <- e.Run(context.Background()) }()
	if _, err := r.Read(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.Close() // stops Run and waits
	if err := <-done; err != nil {
		t.Errorf("Run after Close: %v", err)
	}
	for {
		if _, err := r.Read(context.Background()); err != nil {
			break // stream closed
		}
	}
	if err := e.Run(context.Background()); err == nil {
		t.Error("Run after Close succeeded")
	}
	e.Close()
}

func TestCloseWithoutRun(t *testing.T) {
	e := newTestEngine(t, unit.CodecAAC, unit.CodecOpus)
	e.Close()
	e.Close()
}

func TestPreview(t *testing.T) {
	e := newTestEngine(t)
	if _, ok := e.Preview(); ok {
		t.Fatal("preview before Run")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	// The first pictures may be the white sync flash; testsrc2 itself is
	// colourful, and the preview must refresh to show it.
	var first *image.RGBA
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		img, ok := e.Preview()
		if !ok {
			continue
		}
		if b := img.Bounds(); b.Dx() != PreviewWidth || b.Dy() != 270 {
			t.Fatalf("preview %v, want 480x270", b)
		}
		if first == nil {
			first = img
		}
		if img != first && colours(img) >= 10 {
			return
		}
	}
	t.Fatalf("no refreshed, colourful preview (first had %d colours)", colours(first))
}

func colours(img *image.RGBA) int {
	if img == nil {
		return 0
	}
	seen := map[[3]uint8]bool{}
	for y := 0; y < img.Bounds().Dy(); y += 10 {
		for x := 0; x < img.Bounds().Dx(); x += 10 {
			c := img.RGBAAt(x, y)
			seen[[3]uint8{c.R, c.G, c.B}] = true
		}
	}
	return len(seen)
}

func TestListEncoders(t *testing.T) {
	has := map[string]EncoderInfo{}
	for _, e := range ListEncoders() {
		has[e.Name] = e
	}
	for name, want := range map[string]EncoderInfo{
		"libx264":    {Name: "libx264", Codec: unit.CodecH264},
		"aac":        {Name: "aac", Codec: unit.CodecAAC},
		"libopus":    {Name: "libopus", Codec: unit.CodecOpus},
		"h264_nvenc": {Name: "h264_nvenc", Codec: unit.CodecH264, Hardware: true},
		"libx265":    {Name: "libx265", Codec: unit.CodecHEVC},
		"hevc_nvenc": {Name: "hevc_nvenc", Codec: unit.CodecHEVC, Hardware: true},
		"libsvtav1":  {Name: "libsvtav1", Codec: unit.CodecAV1},
	} {
		if has[name] != want {
			t.Errorf("%s: %+v, want %+v", name, has[name], want)
		}
	}
	// Listed with the reason GoLive cannot drive them.
	for _, name := range []string{"h264_vaapi", "hevc_vaapi", "libaom-av1", "opus"} {
		if e, ok := has[name]; !ok || e.Unsupported == "" {
			t.Errorf("%s: %+v, want it listed as unsupported", name, e)
		}
	}
	if _, ok := has["mjpeg_qsv"]; ok {
		t.Error("an MJPEG encoder is listed")
	}
}

func TestListScreens(t *testing.T) {
	display := testpeer.StartXvfb(t)
	t.Setenv("DISPLAY", display)
	screens := ListScreens()
	if len(screens) == 0 {
		t.Fatal("no screens on Xvfb")
	}
	s := screens[0]
	if s.Bounds != image.Rect(0, 0, 1280, 720) || !strings.HasPrefix(s.Display, strings.TrimSuffix(display, ".0")) {
		t.Errorf("screen %+v on %s", s, display)
	}
}

func TestUnsupportedIsWrapped(t *testing.T) {
	// libx265 and libsvtav1 are video encoders now (HEVC/AV1 renditions);
	// MJPEG is not one GoLive carries.
	v := &encode.Video{Encoder: "mjpeg"}
	if err := v.Initialize(); !errors.Is(err, encode.ErrUnsupported) {
		t.Errorf("mjpeg as a video encoder: %v", err)
	}
}

// TestRequestKeyFrame: with a 10 s GOP, a requested key frame arrives
// within a few frames instead of at the next GOP boundary.
func TestRequestKeyFrame(t *testing.T) {
	e := &Engine{Config: Config{Video: VideoSourceConfig{Kind: KindTest}, Audio: AudioSourceConfig{Kind: KindNone},
		Width: 320, Height: 180, KeyframeInterval: 10 * time.Second}}
	e.RequestKeyFrame() // before Initialize: a no-op
	if err := e.Initialize(); err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	r := e.Stream().Subscribe(stream.ReaderConfig{Name: "keys"})
	go func() { _ = e.Run(context.Background()) }()
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancel()
	var keys []time.Duration
	requested := time.Duration(-1)
	for len(keys) < 2 {
		p, err := r.Read(ctx)
		if err != nil {
			t.Fatalf("after key frames %v: %v", keys, err)
		}
		if p.Key && p.Codec == unit.CodecH264 {
			keys = append(keys, p.PTS)
		}
		if requested < 0 && p.PTS >= 1500*time.Millisecond {
			// Catch up with the encoder first: on a busy machine this
			// reader may lag it by many frames, which are not late.
			for q := r.TryRead(); q != nil; q = r.TryRead() {
				if p = q; p.Key && p.Codec == unit.CodecH264 {
					keys = append(keys, p.PTS)
				}
			}
			requested = p.PTS
			e.RequestKeyFrame()
		}
	}
	if keys[0] != 0 || keys[1] < requested || keys[1] > requested+300*time.Millisecond {
		t.Fatalf("key frames at %v, requested at %v: want the second within 300 ms of the request", keys, requested)
	}
}
