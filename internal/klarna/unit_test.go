package klarna

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		h    http.Header
		want time.Duration
	}{
		{"Seconds", http.Header{"Retry-After": {"3"}}, 3 * time.Second},
		{"HTTPDate", http.Header{"Retry-After": {now.Add(2 * time.Second).Format(http.TimeFormat)}}, 2 * time.Second},
		{"RateLimitResetWhenExhausted", http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"1.5"}}, 1500 * time.Millisecond},
		{"RateLimitResetIgnoredWithQuotaLeft", http.Header{"X-Ratelimit-Remaining": {"4"}, "X-Ratelimit-Reset": {"9"}}, 0},
		{"Nothing", http.Header{}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := retryAfter(c.h, now); got != c.want {
				t.Fatalf("got %s want %s", got, c.want)
			}
		})
	}
}

func TestBackoff_FullJitterWithinCap(t *testing.T) {
	c := &Client{base: 100 * time.Millisecond, cap: time.Second}
	for attempt := range 40 {
		limit := min(c.base<<min(attempt, 20), c.cap)
		for range 50 {
			if d := c.backoff(attempt); d < 0 || d > limit {
				t.Fatalf("attempt %d: %s outside [0,%s]", attempt, d, limit)
			}
		}
	}
}

func TestErrorMapping(t *testing.T) {
	decode := func(s string) ErrorBody {
		var b ErrorBody
		if err := json.Unmarshal([]byte(s), &b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	cases := []struct {
		name   string
		status int
		body   string
		code   apperr.Code
		fields []string
	}{
		{"InvalidWithValidationErrors", 400, `{"error_type":"INPUT_ERROR","error_code":"VALIDATION_ERROR","validation_errors":[{"parameter":"a.b","reason":"bad"}]}`, apperr.Invalid, []string{"a.b"}},
		{"InvalidWithErrorsShape", 400, `{"error_type":"INPUT_ERROR","error_code":"VALIDATION_ERROR","errors":[{"parameter":"x[0].y","error_message":"bad"}]}`, apperr.Invalid, []string{"x[0].y"}},
		{"InvalidContentTypeIsOurBug", 400, `{"error_code":"INVALID_CONTENT_TYPE"}`, apperr.Internal, nil},
		{"NotFound", 404, `{"error_code":"RESOURCE_NOT_FOUND"}`, apperr.NotFound, nil},
		{"LegacyNotFound", 404, `{"error_code":"NOT_FOUND","error_messages":["gone"],"correlation_id":"c"}`, apperr.NotFound, nil},
		{"Conflict", 409, `{"error_code":"RESOURCE_CONFLICT"}`, apperr.Conflict, nil},
		{"Unauthorized", 401, `{"error_code":"UNAUTHORIZED"}`, apperr.Unavailable, nil},
		{"Forbidden", 403, `{"error_code":"OPERATION_FORBIDDEN"}`, apperr.Unavailable, nil},
		{"TooLarge", 413, ``, apperr.TooLarge, nil},
		{"RateLimited", 429, `{"error_code":"RATE_LIMITED"}`, apperr.Unavailable, nil},
		{"Timeout", 500, `{"error_type":"TECHNICAL_ERROR","error_code":"TIMEOUT"}`, apperr.Unavailable, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body ErrorBody
			if c.body != "" {
				body = decode(c.body)
			}
			err := error(newErrorFromBody(OpGetDispute, c.status, body))
			if got := apperr.CodeOf(err); got != c.code {
				t.Fatalf("code %s want %s", got, c.code)
			}
			var fields []string
			for _, f := range apperr.As(err).Fields {
				fields = append(fields, f.Field)
				if f.Message != "bad" {
					t.Fatalf("field message %q", f.Message)
				}
			}
			if strings.Join(fields, ",") != strings.Join(c.fields, ",") {
				t.Fatalf("fields %v want %v", fields, c.fields)
			}
			var ke *Error
			if !errors.As(err, &ke) || ke.HTTPStatus != c.status {
				t.Fatal("klarna error not reachable")
			}
		})
	}
	t.Run("TransportFailureIsUnavailable", func(t *testing.T) {
		cause := errors.New("connection refused")
		err := error(&Error{Operation: OpGetDispute, Err: cause})
		if apperr.CodeOf(err) != apperr.Unavailable || !errors.Is(err, cause) {
			t.Fatalf("%v", err)
		}
	})
}

func TestVerifySignature(t *testing.T) {
	secret := []byte("sk_test_secret")
	body := []byte(`{"metadata":{"event_id":"e1","event_type":"x"}}`)
	sig := Sign(secret, body)
	cases := []struct {
		name string
		sig  string
		body []byte
		want bool
	}{
		{"OK", sig, body, true},
		{"OK_UppercaseHex", strings.ToUpper(sig), body, true},
		{"ErrBodyChanged", sig, append([]byte(" "), body...), false},
		{"ErrWrongKey", Sign([]byte("other"), body), body, false},
		{"ErrNotHex", "zz", body, false},
		{"ErrEmpty", "", body, false},
		{"ErrTruncated", sig[:32], body, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := VerifySignature(secret, c.body, c.sig); got != c.want {
				t.Fatalf("got %v", got)
			}
		})
	}
}

func TestParseWebhook(t *testing.T) {
	t.Run("OK_TopLevelCopiesFillMetadata", func(t *testing.T) {
		env, err := ParseWebhook([]byte(`{"metadata":{"live":true},"event_id":"e9","event_type":"payment.dispute.state-change.closed","payload":{"a":1},"future":true}`))
		if err != nil || env.Metadata.EventID != "e9" || env.Metadata.EventType != EventDisputeClosed || env.Extra["future"] == nil {
			t.Fatalf("%+v %v", env, err)
		}
	})
	t.Run("ErrNoEventID", func(t *testing.T) {
		if _, err := ParseWebhook([]byte(`{"metadata":{"event_type":"x"}}`)); err == nil {
			t.Fatal("want error")
		}
	})
	t.Run("ErrNotJSON", func(t *testing.T) {
		if _, err := ParseWebhook([]byte(`<xml/>`)); err == nil {
			t.Fatal("want error")
		}
	})
}

func TestMatchEventType(t *testing.T) {
	cases := []struct {
		pattern, event string
		want           bool
	}{
		{"*", "anything", true},
		{"payment.dispute.*", EventDisputeClosed, true},
		{"payment.*", EventDisputeInitiated, true},
		{"payment.dispute.*", EventAccountOperational, false},
		{EventAccountOperational, EventAccountOperational, true},
		{"partner.account", EventAccountOperational, false},
	}
	for _, c := range cases {
		if got := MatchEventType(c.pattern, c.event); got != c.want {
			t.Errorf("%s ~ %s = %v", c.pattern, c.event, got)
		}
	}
}

func TestRoutes_EveryOperationHasAWellFormedPath(t *testing.T) {
	seen := map[string]Operation{}
	for op, r := range Routes {
		if !strings.HasPrefix(r.Path, "/") || r.Category == "" {
			t.Errorf("%s: bad route %+v", op, r)
		}
		k := r.Method + " " + r.Path
		if other, dup := seen[k]; dup {
			t.Errorf("%s and %s share %s", op, other, k)
		}
		seen[k] = op
		if r.Host == HostSettlements && !strings.HasPrefix(r.Path, "/settlements/v1/") {
			t.Errorf("%s: settlements paths carry the /settlements/v1 prefix", op)
		}
	}
	if got := Routes[OpDownloadAttachment].Expand("krn:a:dispute:1", "krn:a:dispute:1:attachment:2"); got != "/v4/payment/disputes/krn:a:dispute:1/attachments/krn:a:dispute:1:attachment:2/download" {
		t.Fatalf("expand = %s", got)
	}
	if got := Routes[OpGetBrand].Expand("acc/1", "b 2"); got != "/v2/accounts/acc%2F1/brands/b%202" {
		t.Fatalf("expand must escape: %s", got)
	}
}

func TestTimestamp_TolerantFormats(t *testing.T) {
	for _, s := range []string{"2025-06-24T05:51:48Z", "2025-06-24T05:51:48.123Z", "2025-06-24T05:51Z", "2025-06-24T07:51:48+02:00", "2025-06-24"} {
		var ts Timestamp
		if err := json.Unmarshal([]byte(`"`+s+`"`), &ts); err != nil || ts.IsZero() {
			t.Errorf("%s: %v", s, err)
		}
	}
}
