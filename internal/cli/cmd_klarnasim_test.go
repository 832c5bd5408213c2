package cli

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

type lockedBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestKlarnaSim_ServesAndPrintsTheAPIKey(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out := &lockedBuf{}
	env := &Env{Stdout: out, Stderr: io.Discard, Getenv: func(k string) string {
		if k == "PARTNERDESK_KLARNA_SIM_ADDR" {
			return "127.0.0.1:0"
		}
		return ""
	}}
	done := make(chan int)
	go func() { done <- Run(ctx, env, []string{"klarna-sim"}) }()
	re := regexp.MustCompile(`listening on (http://\S+)\nAcquirer API key: (klarna_test_api_\w+)`)
	var m []string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m = re.FindStringSubmatch(out.String()); m != nil {
			break
		}
	}
	if m == nil {
		cancel()
		t.Fatalf("no address/key printed: %q", out.String())
	}
	req, _ := http.NewRequest("GET", m[1]+"/v2/distribution/payment-profiles", nil)
	req.Header.Set("Authorization", "Basic "+m[2])
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("API call: %v %v", resp, err)
	}
	resp.Body.Close()
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit code %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("did not stop on cancel")
	}
}
