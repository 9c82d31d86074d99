package encode

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/asticode/go-astiav"
)

// Scaler converts captured pictures of any size and pixel format to the
// encoder's size and format with swscale (lavfi scale filter), keeping the
// aspect ratio: the picture is centred on black bars (letterbox or
// pillarbox). Aspect ratios within 1 % of each other (1280x720 to 854x480,
// a 9:16 crop of 720 lines to 1080x1920) are not barred but scaled to the
// full output, as `ffmpeg -vf scale=W:H` does: the bars would be a line or
// two of black at the edge. The graph is rebuilt when the input size or
// format changes.
type Scaler struct {
	Width, Height int
	PixelFormat   astiav.PixelFormat
	// Vertical crops the centred 9:16 part of the picture (full height,
	// or full width for a picture narrower than that) before scaling.
	Vertical bool

	graph      *astiav.FilterGraph
	src, sink  *astiav.FilterContext
	inW, inH   int
	inFmt      astiav.PixelFormat
	configured bool
}

// Scale writes src, converted, into dst (which is unreferenced first).
// A picture already in the output size and format is not copied: dst
// references src's buffers.
func (s *Scaler) Scale(src, dst *astiav.Frame) error {
	if s.passthrough(src) {
		dst.Unref()
		if err := dst.Ref(src); err != nil {
			return fmt.Errorf("scale: reference %dx%d frame: %w", src.Width(), src.Height(), err)
		}
		dst.SetSampleAspectRatio(astiav.NewRational(1, 1))
		return nil
	}
	if !s.configured || src.Width() != s.inW || src.Height() != s.inH || src.PixelFormat() != s.inFmt {
		if err := s.configure(src.Width(), src.Height(), src.PixelFormat()); err != nil {
			return err
		}
	}
	if err := s.src.BuffersrcAddFrame(src, astiav.NewBuffersrcFlags(astiav.BuffersrcFlagKeepRef)); err != nil {
		return fmt.Errorf("scale: feed %dx%d frame: %w", src.Width(), src.Height(), err)
	}
	dst.Unref()
	if err := s.sink.BuffersinkGetFrame(dst, astiav.NewBuffersinkFlags()); err != nil {
		return fmt.Errorf("scale: get converted frame: %w", err)
	}
	return nil
}

// passthrough reports whether src needs no conversion at all: the output
// size and pixel format, square (or unset) pixels.
func (s *Scaler) passthrough(src *astiav.Frame) bool {
	sar := src.SampleAspectRatio()
	return !s.Vertical && src.Width() == s.Width && src.Height() == s.Height && src.PixelFormat() == s.PixelFormat &&
		(sar.Num() == 0 || sar.Num() == sar.Den())
}

// VerticalCrop is the lavfi filter cutting the centred 9:16 part of a
// picture (even sizes): ffmpeg -vf VerticalCrop,scale=W:H makes the same
// picture as a vertical rendition.
const VerticalCrop = "crop=w='min(iw,trunc(ih*9/16/2)*2)':h='min(ih,trunc(iw*16/9/2)*2)'"

// filterSpec is the lavfi chain from a w x h picture to the output size.
func (s *Scaler) filterSpec(w, h int) string {
	crop := ""
	if s.Vertical {
		crop = VerticalCrop + ","
		// The crop's size, as VerticalCrop computes it.
		w, h = min(w, h*9/16/2*2), min(h, w*16/9/2*2)
	}
	ow, oh := strconv.Itoa(s.Width), strconv.Itoa(s.Height)
	if nearAspect(w, h, s.Width, s.Height) {
		return crop + "scale=w=" + ow + ":h=" + oh + ":flags=bilinear,setsar=1,format=pix_fmts=" + s.PixelFormat.Name()
	}
	return crop + "scale=w=" + ow + ":h=" + oh + ":force_original_aspect_ratio=decrease:" +
		"force_divisible_by=2:flags=bilinear," +
		"pad=w=" + ow + ":h=" + oh + ":x=(ow-iw)/2:y=(oh-ih)/2:color=black," +
		"setsar=1,format=pix_fmts=" + s.PixelFormat.Name()
}

// nearAspect reports whether w:h and ow:oh differ by at most 1 %.
func nearAspect(w, h, ow, oh int) bool {
	a, b := int64(w)*int64(oh), int64(h)*int64(ow)
	return 100*(max(a, b)-min(a, b)) <= min(a, b)
}

func (s *Scaler) configure(w, h int, pf astiav.PixelFormat) error {
	s.Close()
	if w <= 0 || h <= 0 {
		return fmt.Errorf("scale: invalid input size %dx%d", w, h)
	}
	s.graph = astiav.AllocFilterGraph()
	if s.graph == nil {
		return errors.New("scale: allocate filter graph")
	}
	s.graph.SetThreadCount(1)
	var err error
	s.src, err = s.graph.NewFilterContext(astiav.FindFilterByName("buffer"), "in", astiav.FilterArgs{
		"video_size":   fmt.Sprintf("%dx%d", w, h),
		"pix_fmt":      strconv.Itoa(int(pf)),
		"time_base":    "1/1000",
		"pixel_aspect": "1/1",
	})
	if err != nil {
		return fmt.Errorf("scale: create buffer source for %dx%d %s: %w", w, h, pf.Name(), err)
	}
	s.sink, err = s.graph.NewFilterContext(astiav.FindFilterByName("buffersink"), "out", nil)
	if err != nil {
		return fmt.Errorf("scale: create buffer sink: %w", err)
	}
	if err := parseChain(s.graph, s.filterSpec(w, h), s.src, s.sink); err != nil {
		return fmt.Errorf("scale: %w", err)
	}
	s.inW, s.inH, s.inFmt, s.configured = w, h, pf, true
	return nil
}

// parseChain links src -> spec -> sink in graph and configures it.
func parseChain(g *astiav.FilterGraph, spec string, src, sink *astiav.FilterContext) error {
	outputs := astiav.AllocFilterInOut()
	defer outputs.Free()
	inputs := astiav.AllocFilterInOut()
	defer inputs.Free()
	outputs.SetName("in")
	outputs.SetFilterContext(src)
	outputs.SetPadIdx(0)
	outputs.SetNext(nil)
	inputs.SetName("out")
	inputs.SetFilterContext(sink)
	inputs.SetPadIdx(0)
	inputs.SetNext(nil)
	if err := g.Parse(spec, inputs, outputs); err != nil {
		return fmt.Errorf("parse filter %q: %w", spec, err)
	}
	if err := g.Configure(); err != nil {
		return fmt.Errorf("configure filter %q: %w", spec, err)
	}
	return nil
}

// Close frees the filter graph.
func (s *Scaler) Close() {
	if s.graph != nil {
		s.graph.Free()
		s.graph = nil
	}
	s.src, s.sink, s.configured = nil, nil, false
}
