package oidctest

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
)

var (
	pickerActionRe    = regexp.MustCompile(`<form method="post" action="([^"]+)">`)
	pickerRequestIDRe = regexp.MustCompile(`<input type="hidden" name="request_id" value="([^"]+)">`)
)

// ChoosePersona completes a sign-in that stopped at the persona picker, as
// a user clicking "Sign in as …" would: picker is the picker page response
// (its body is consumed and closed), and the form is posted with client, so
// the IdP session cookie lands in its jar and redirects follow its policy.
// It is for Go tests of a relying party whose login route does not forward
// login_hint.
func ChoosePersona(client *http.Client, picker *http.Response, personaID string) (*http.Response, error) {
	defer picker.Body.Close()
	body, err := io.ReadAll(io.LimitReader(picker.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("choose persona: read picker: %w", err)
	}
	action := pickerActionRe.FindSubmatch(body)
	reqID := pickerRequestIDRe.FindSubmatch(body)
	if action == nil || reqID == nil {
		return nil, fmt.Errorf("choose persona: response (status %d) is not the persona picker", picker.StatusCode)
	}
	target, err := url.Parse(html.UnescapeString(string(action[1])))
	if err != nil {
		return nil, fmt.Errorf("choose persona: form action: %w", err)
	}
	if picker.Request != nil && picker.Request.URL != nil {
		target = picker.Request.URL.ResolveReference(target)
	}
	resp, err := client.PostForm(target.String(), url.Values{
		"request_id": {html.UnescapeString(string(reqID[1]))},
		"persona":    {personaID},
	})
	if err != nil {
		return nil, fmt.Errorf("choose persona: %w", err)
	}
	return resp, nil
}
