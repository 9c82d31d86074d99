//go:build ignore

// gen_icon draws GoLive's icon (assets/icon.png): a red rounded square
// with a white "on air" dot and two pairs of broadcast arcs. Run with
// `go run gen_icon.go` in assets/, then `fyne bundle` (see app/ui).
package main

import (
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
)

const size = 512

func main() {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	red := color.NRGBA{0xe5, 0x39, 0x35, 0xff}
	white := color.NRGBA{0xff, 0xff, 0xff, 0xff}
	c := float64(size) / 2
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			fx, fy := float64(x)+0.5, float64(y)+0.5
			if !inRoundedSquare(fx, fy, 16, size-16, 100) {
				continue
			}
			img.Set(x, y, red)
			r := math.Hypot(fx-c, fy-c)
			angle := math.Abs(math.Atan2(fy-c, fx-c)) // 0 right, pi left
			side := angle < math.Pi/4 || angle > 3*math.Pi/4
			switch {
			case r < 50:
				img.Set(x, y, white)
			case side && r > 98 && r < 126:
				img.Set(x, y, white)
			case side && r > 160 && r < 188:
				img.Set(x, y, white)
			}
		}
	}
	f, err := os.Create("icon.png")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		log.Fatal(err)
	}
}

// inRoundedSquare reports whether (x, y) is inside the square lo..hi
// with corners rounded by radius.
func inRoundedSquare(x, y, lo, hi, radius float64) bool {
	if x < lo || x > hi || y < lo || y > hi {
		return false
	}
	cx := math.Max(lo+radius, math.Min(x, hi-radius))
	cy := math.Max(lo+radius, math.Min(y, hi-radius))
	return math.Hypot(x-cx, y-cy) <= radius
}
