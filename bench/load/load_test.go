package load

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestPercentileIsNearestRank(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {0, time.Millisecond}} {
		if got := Percentile(d, c.p); got != c.want {
			t.Errorf("p%g = %s, want %s", c.p, got, c.want)
		}
	}
	if Percentile(nil, 50) != 0 {
		t.Error("the percentile of nothing is not 0")
	}
}

// A run counts only the answers its OK accepts, and Merge adds runs up.
func TestRunCountsSuccessesAndMergeAddsUp(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if n.Add(1)%10 == 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()
	cfg := Config{Clients: 4, Duration: 200 * time.Millisecond, Request: func(int, int) (*http.Request, error) {
		return http.NewRequest(http.MethodGet, srv.URL, nil)
	}}
	a, b := Run(context.Background(), cfg), Run(context.Background(), cfg)
	if a.Requests == 0 || a.Errors == 0 || a.FirstError == "" {
		t.Fatalf("run: %+v, want successes and the 503s as errors", a)
	}
	if int64(a.Requests+a.Errors+b.Requests+b.Errors) > n.Load() {
		t.Errorf("counted %d answers, the server gave %d", a.Requests+a.Errors+b.Requests+b.Errors, n.Load())
	}
	m := Merge(a, b)
	if m.Requests != a.Requests+b.Requests || m.Errors != a.Errors+b.Errors || m.Seconds != a.Seconds+b.Seconds {
		t.Errorf("merge: %+v of %+v and %+v", m, a, b)
	}
	if m.P50 <= 0 || m.P99 < m.P50 || m.Max < m.P99 {
		t.Errorf("merge percentiles: p50 %s p99 %s max %s", m.P50, m.P99, m.Max)
	}
}
