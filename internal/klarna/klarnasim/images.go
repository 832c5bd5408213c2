package klarnasim

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strings"
	"sync"
)

// Demo brand imagery, so brand logos, icons and feature images resolve
// without the internet: GET /demo-images/{kind}-{colour}.png with kind
// logo (256×256), icon (64×64) or feature (1200×400) and colour one of
// demoColours, and /demo-images/not-an-image.html (a page, not an image).
const demoImagesPath = "/demo-images/"

var demoColours = map[string]color.RGBA{
	"blue":   {0x1f, 0x5f, 0xbf, 0xff},
	"green":  {0x1f, 0x9f, 0x5f, 0xff},
	"orange": {0xef, 0x8f, 0x1f, 0xff},
	"purple": {0x7f, 0x3f, 0xbf, 0xff},
	"pink":   {0xff, 0xa8, 0xcd, 0xff},
}

var demoSizes = map[string][2]int{"logo": {256, 256}, "icon": {64, 64}, "feature": {1200, 400}}

var demoImageCache sync.Map // name → []byte

// DemoImageURL is the URL of a demo image under the simulator's base URL.
func DemoImageURL(base, kind, colour string) string {
	return strings.TrimRight(base, "/") + demoImagesPath + kind + "-" + colour + ".png"
}

func demoImage(name string) ([]byte, bool) {
	if b, ok := demoImageCache.Load(name); ok {
		return b.([]byte), true
	}
	stem, ok := strings.CutSuffix(name, ".png")
	if !ok {
		return nil, false
	}
	kind, colour, _ := strings.Cut(stem, "-")
	size, ok1 := demoSizes[kind]
	c, ok2 := demoColours[colour]
	if !ok1 || !ok2 {
		return nil, false
	}
	w, h := size[0], size[1]
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	light := color.RGBA{0xff, 0xff, 0xff, 0xff}
	r := min(w, h) / 3
	cx, cy := w/2, h/2
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			dx, dy := x-cx, y-cy
			if dx*dx+dy*dy <= r*r {
				img.SetRGBA(x, y, light)
			} else {
				img.SetRGBA(x, y, c)
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, false
	}
	demoImageCache.Store(name, buf.Bytes())
	return buf.Bytes(), true
}

func (s *Sim) serveDemoImage(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if name == "not-an-image.html" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<!doctype html><title>Not an image</title><p>This page is not an image."))
		return
	}
	b, ok := demoImage(name)
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(b)
}
