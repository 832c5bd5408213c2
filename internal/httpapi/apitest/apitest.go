// Package apitest is an HTTP client for API tests that checks every /api/v1
// response against the OpenAPI document: an undocumented route or a response
// that does not match its schema fails the test.
package apitest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/partnerdesk/partnerdesk/internal/httpapi/openapi"
)

func init() {
	openapi3filter.RegisterBodyDecoder("application/problem+json", openapi3filter.JSONBodyDecoder)
}

// Client talks to a running server at Base.
type Client struct {
	t      testing.TB
	Base   string
	HTTP   *http.Client
	router routers.Router
	// CSRF, when set, is sent as X-CSRF-Token on mutations.
	CSRF string
	// Bearer, when set, is sent as an Authorization: Bearer token.
	Bearer string
}

// Response is a fully read response.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// New returns a validating client for the server at base (http://host:port).
func New(t testing.TB, base string) *Client {
	t.Helper()
	doc, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	doc.Servers = openapi3.Servers{{URL: strings.TrimRight(base, "/") + "/api/v1"}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	return &Client{t: t, Base: strings.TrimRight(base, "/"), HTTP: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, router: router}
}

// Do sends req and validates the response if it is an /api/v1 route.
func (c *Client) Do(req *http.Request) *Response {
	c.t.Helper()
	var reqBody []byte
	if req.Body != nil {
		reqBody, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	if c.CSRF != "" && req.Method != http.MethodGet && req.Header.Get("X-CSRF-Token") == "" {
		req.Header.Set("X-CSRF-Token", c.CSRF)
	}
	if c.Bearer != "" && req.Header.Get("Authorization") == "" {
		req.Header.Set("Authorization", "Bearer "+c.Bearer)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read body: %v", req.Method, req.URL.Path, err)
	}
	r := &Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
	if reqBody != nil {
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	if err := c.Validate(req, r); err != nil {
		c.t.Errorf("response does not match the OpenAPI document: %v", err)
	}
	return r
}

// Validate checks one exchange against the document. Non-API paths and the
// document itself are not validated.
func (c *Client) Validate(req *http.Request, r *Response) error {
	p := req.URL.Path
	if !strings.HasPrefix(p, "/api/v1/") || p == "/api/v1/openapi.json" {
		return nil
	}
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		switch r.Status {
		case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusRequestEntityTooLarge:
			return nil // refused before any route ran
		}
		return fmt.Errorf("%s %s answered %d but is not in the document: %w", req.Method, p, r.Status, err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
		Status:  r.Status,
		Header:  r.Header,
		Body:    io.NopCloser(bytes.NewReader(r.Body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		return fmt.Errorf("%s %s → %d: %w", req.Method, p, r.Status, err)
	}
	return nil
}

// Get is Do for a GET of path.
func (c *Client) Get(path string) *Response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.Base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.Do(req)
}

// Send is Do for a request with a body.
func (c *Client) Send(method, path, contentType string, body []byte) *Response {
	c.t.Helper()
	req, err := http.NewRequest(method, c.Base+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return c.Do(req)
}
