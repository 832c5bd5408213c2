package apitest_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/partnerdesk/partnerdesk/internal/httpapi/apitest"
)

// The validator must catch a server that drifts from the document.
func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		path    string
		status  int
		ctype   string
		body    string
		wantErr string
	}{
		{"OK_MatchingMeta", "/api/v1/meta", 200, "application/json", `{"version":"v1","environment":"dev","demo":true}`, ""},
		{"ErrMissingRequiredField", "/api/v1/meta", 200, "application/json", `{"version":"v1","environment":"dev"}`, "demo"},
		{"ErrWrongEnum", "/api/v1/meta", 200, "application/json", `{"version":"v1","environment":"staging","demo":true}`, "environment"},
		{"ErrProblemShape", "/api/v1/meta", 500, "application/problem+json", `{"title":"x"}`, "status"},
		{"ErrUndocumentedRoute", "/api/v1/secret", 200, "application/json", `{}`, "not in the document"},
		{"OK_UnknownRouteAnswered404", "/api/v1/secret", 404, "application/problem+json", `{"type":"t","title":"Not Found","status":404}`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.ctype)
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			c := apitest.New(t, srv.URL)
			req, _ := http.NewRequest(http.MethodGet, srv.URL+tc.path, nil)
			err := c.Validate(req, &apitest.Response{Status: tc.status, Header: http.Header{"Content-Type": {tc.ctype}}, Body: []byte(tc.body)})
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("want error mentioning %q, got %v", tc.wantErr, err)
			}
		})
	}
}
