package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// uiDist is the UI's build (`make bench` builds it first).
var uiDist = filepath.Join("ui", "dist")

// initialJS finds the scripts index.html loads at once: <script src> and
// <link rel="modulepreload">; lazy route chunks are not among them.
var initialJS = regexp.MustCompile(`<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="/([^"]+\.js)"`)

// uiSize is the gzip size of the JavaScript a first visit downloads (what
// the server sends: the build's precompressed .gz, or the file itself when
// the build left it uncompressed), beside the gzip size of every JavaScript
// file of the build.
func (e *env) uiSize(_ context.Context, r *report) error {
	index, err := os.ReadFile(filepath.Join(uiDist, "index.html"))
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%s/index.html is missing: build the UI first (make bench does)", uiDist)
	}
	if err != nil {
		return err
	}
	initial := map[string]bool{}
	for _, m := range initialJS.FindAllSubmatch(index, -1) {
		initial[string(m[1])] = true
	}
	if len(initial) == 0 {
		return errors.New("index.html loads no script")
	}
	var first, all, firstRaw int64
	files := []string{}
	err = filepath.WalkDir(uiDist, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".js") {
			return err
		}
		rel, _ := filepath.Rel(uiDist, p)
		rel = filepath.ToSlash(rel)
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		size, err := sentSize(p, raw)
		if err != nil {
			return err
		}
		all += size
		if initial[rel] {
			first += size
			firstRaw += int64(len(raw))
			files = append(files, rel)
			delete(initial, rel)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(initial) > 0 {
		return fmt.Errorf("index.html names scripts that are not in %s: %v", uiDist, initial)
	}
	r.Raw["ui_initial_js"] = map[string]any{"files": files, "gzip_bytes": first, "raw_bytes": firstRaw, "all_js_gzip_bytes": all}
	r.Rows = append(r.Rows, row{Measure: "UI initial JavaScript, gzip (baseline: every JavaScript file of the build)", Unit: "kB",
		PartnerDesk: float64(first) / 1000, Baseline: float64(all) / 1000, LowerIsBetter: true})
	return nil
}

// sentSize is what the server sends for a file to a browser accepting gzip:
// the build's precompressed .gz, or the file as it is (the build leaves files
// too small to gain uncompressed, and the server compresses only JSON on the
// fly).
func sentSize(p string, raw []byte) (int64, error) {
	fi, err := os.Stat(p + ".gz")
	if errors.Is(err, os.ErrNotExist) {
		return int64(len(raw)), nil
	}
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}
