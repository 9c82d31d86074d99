package profile

import (
	"fmt"
	"strings"
	"testing"
)

// FuzzFieldText types any text into the small field parsers a user
// reaches from the command line, the window and profile files: size
// (WIDTHxHEIGHT), region (X,Y,W,H), bit rate, the per-destination
// rendition fields and --record. No panic, and what is accepted is in
// range and reads back the same.
// Corpus: testdata/fuzz/FuzzFieldText.
func FuzzFieldText(f *testing.F) {
	for _, s := range []string{"1280x720", " 1920X1080 ", "0,0,640,360", "9223372036854775807,0,100,100",
		"2500k", "2.5M", "128 kbps", "1e400", "same", "libx264", "out.mkv", "１,２,３,４",
		"854x480@30 600k", "640x360", "main", "1280x720@0 1k", "2x2@ 9", "0", "0k", "yes", "Off"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if w, h, err := ParseSize(s); err == nil {
			if w2, h2, err := ParseSize(fmt.Sprintf("%dx%d", w, h)); err != nil || w2 != w || h2 != h {
				t.Fatalf("size %q = %dx%d reads back as %dx%d, %v", s, w, h, w2, h2, err)
			}
		}
		if r, err := ParseRegion(s); err == nil {
			if r.X < 0 || r.Y < 0 || r.X > MaxRegionOffset || r.Y > MaxRegionOffset ||
				r.W < 16 || r.H < 16 || r.W > MaxWidth || r.H > MaxHeight {
				t.Fatalf("region %q accepted as %+v", s, r)
			}
		}
		if v, err := ParseBitrate(s); err == nil {
			if v < 0 || v > 1e10 {
				t.Fatalf("bitrate %q accepted as %d", s, v)
			}
			if v2, err := ParseBitrate(FormatBitrate(v)); err != nil || v2 != v {
				t.Fatalf("bitrate %q = %d reads back from %q as %d, %v", s, v, FormatBitrate(v), v2, err)
			}
		}
		for _, field := range VideoFields {
			d := Destination{Name: "d", Kind: KindRTMP}
			ok, err := d.SetVideoField(field, s)
			if !ok {
				t.Fatalf("%s is not a rendition field", field)
			} else if err == nil && d.Video != nil {
				if err := d.Video.check(); err != nil {
					t.Fatalf("%s=%q accepted but does not check: %v", field, s, err)
				}
			}
			// A number accepted for the frame rate or bitrate is used:
			// only "same" or nothing means the profile's.
			if cleared := strings.TrimSpace(s) == "" || strings.EqualFold(strings.TrimSpace(s), "same"); !cleared {
				if v := d.Video; (field == "fps" || field == "video_bitrate") && err == nil &&
					(v == nil || (field == "fps" && v.FPS == 0) || (field == "video_bitrate" && v.VideoBitrate == 0)) {
					t.Fatalf("%s=%q accepted as \"same as the profile\"", field, s)
				}
			}
		}
		if v, ok, err := ParseRenditionText(s); ok && err == nil {
			if err := v.check(); err != nil || v.Width == 0 || v.Height == 0 {
				t.Fatalf("rendition %q accepted as %+v: %v", s, v, err)
			}
		}
		p := DefaultProfile()
		p.Destinations[0].Video = &Video{Fallback: s}
		if r, ok, err := p.Fallback(&p.Destinations[0]); err == nil && ok && (r.Width == 0 || r == p.Rendition(&p.Destinations[0])) {
			t.Fatalf("fallback %q resolved to %+v", s, r)
		} else if err == nil && ok != (s != "") {
			t.Fatalf("fallback %q: ok %v", s, ok)
		}
		if d, err := ParseRecordFlag(s); err == nil {
			if err := checkDest(d); err != nil {
				t.Fatalf("--record %q accepted but does not validate: %v", s, err)
			}
		}
	})
}
