package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func run(t *testing.T, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(context.Background(), &Env{Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return vars[k] }}, args)
	return code, out.String(), errb.String()
}

func TestEveryCommandHasHelp(t *testing.T) {
	for name := range commands {
		t.Run(name, func(t *testing.T) {
			code, _, stderr := run(t, nil, name, "--help")
			if code != 0 || !strings.Contains(stderr, "Usage: partnerdesk "+name) {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
		})
	}
	if code, stdout, _ := run(t, nil, "--help"); code != 0 || !strings.Contains(stdout, "serve") || !strings.Contains(stdout, "migrate") {
		t.Fatalf("top-level help: %d %q", code, stdout)
	}
}

func TestBadConfigurationIsOneLineNamingTheVariable(t *testing.T) {
	code, _, stderr := run(t, map[string]string{"PARTNERDESK_HTTP_ADDR": "nonsense"}, "config")
	if code != 1 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, "PARTNERDESK_HTTP_ADDR") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

func TestServeRequiresDatabaseURL(t *testing.T) {
	code, _, stderr := run(t, nil, "serve")
	if code != 1 || !strings.Contains(stderr, "PARTNERDESK_DATABASE_URL") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

func TestUnknownCommandAndUsage(t *testing.T) {
	if code, _, stderr := run(t, nil, "frobnicate"); code != 2 || !strings.Contains(stderr, "unknown command") {
		t.Fatalf("exit %d %q", code, stderr)
	}
	if code, _, _ := run(t, map[string]string{"PARTNERDESK_DATABASE_URL": "postgres://x@127.0.0.1:1/x"}, "migrate", "sideways"); code != 2 {
		t.Fatalf("bad migrate action exit %d, want 2", code)
	}
}

func TestConfigPrintsEffectiveValues(t *testing.T) {
	code, stdout, _ := run(t, map[string]string{"PARTNERDESK_HTTP_ADDR": "0.0.0.0:9000"}, "config")
	if code != 0 || !strings.Contains(stdout, "PARTNERDESK_HTTP_ADDR=0.0.0.0:9000") {
		t.Fatalf("exit %d %q", code, stdout)
	}
}
