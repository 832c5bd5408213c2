// Package load is the load generator of `make bench`: a fixed number of
// clients, each sending its next request as soon as the previous answer is
// read, for a fixed duration; it reports throughput and latency percentiles.
package load

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Config is one measure's load.
type Config struct {
	Clients  int
	Duration time.Duration
	// Request builds client's n-th request.
	Request func(client, n int) (*http.Request, error)
	// OK tells whether a status counts as a success (default: 2xx).
	OK func(status int) bool
}

// Result is what a run measured. Latencies are of successful requests.
type Result struct {
	Requests int           `json:"requests"`
	Errors   int           `json:"errors"`
	Seconds  float64       `json:"seconds"`
	RPS      float64       `json:"rps"`
	P50      time.Duration `json:"p50_ns"`
	P99      time.Duration `json:"p99_ns"`
	Max      time.Duration `json:"max_ns"`
	// FirstError is the first failure seen, to say why errors happened.
	FirstError string `json:"first_error,omitempty"`
	// sorted latencies, for Merge
	lat []time.Duration
}

// Run drives cfg's load and waits for it to finish.
func Run(ctx context.Context, cfg Config) Result {
	ok := cfg.OK
	if ok == nil {
		ok = func(s int) bool { return s >= 200 && s < 300 }
	}
	// No Accept-Encoding: gzip (Go's transport adds it otherwise), so the
	// product, which compresses JSON for browsers, sends the same bytes as
	// a baseline that never compresses.
	tr := &http.Transport{MaxIdleConns: cfg.Clients, MaxIdleConnsPerHost: cfg.Clients, IdleConnTimeout: time.Minute, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	ctx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	var mu sync.Mutex
	var all []time.Duration
	var res Result
	var wg sync.WaitGroup
	start := time.Now()
	for c := range cfg.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, 4096)
			errs, firstErr := 0, ""
			fail := func(msg string) {
				errs++
				if firstErr == "" {
					firstErr = msg
				}
			}
			for n := 0; ctx.Err() == nil; n++ {
				req, err := cfg.Request(c, n)
				if err != nil {
					fail(err.Error())
					break
				}
				t0 := time.Now()
				resp, err := client.Do(req.WithContext(ctx))
				if err != nil {
					if ctx.Err() == nil {
						fail(err.Error())
					}
					continue
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				d := time.Since(t0)
				switch {
				case err != nil && ctx.Err() != nil: // cut off by the end of the run
				case err != nil:
					fail(err.Error())
				case !ok(resp.StatusCode):
					fail(fmt.Sprintf("%s %s: HTTP %d", req.Method, req.URL.Path, resp.StatusCode))
				default:
					lat = append(lat, d)
				}
			}
			mu.Lock()
			all = append(all, lat...)
			res.Errors += errs
			if res.FirstError == "" {
				res.FirstError = firstErr
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.Seconds = time.Since(start).Seconds()
	res.lat = all
	return res.summarise()
}

func (r Result) summarise() Result {
	slices.Sort(r.lat)
	r.Requests = len(r.lat)
	r.RPS = float64(r.Requests) / r.Seconds
	r.P50, r.P99 = Percentile(r.lat, 50), Percentile(r.lat, 99)
	if len(r.lat) > 0 {
		r.Max = r.lat[len(r.lat)-1]
	}
	return r
}

// Merge is the result of several runs of the same load as one: their
// requests over their summed durations, percentiles over all latencies.
func Merge(rs ...Result) Result {
	var m Result
	for _, r := range rs {
		m.lat = append(m.lat, r.lat...)
		m.Seconds += r.Seconds
		m.Errors += r.Errors
		if m.FirstError == "" {
			m.FirstError = r.FirstError
		}
	}
	return m.summarise()
}

// Percentile is the p-th percentile of sorted (nearest rank).
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
