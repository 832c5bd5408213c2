package klarnasim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
)

type simHTTP struct {
	t   *testing.T
	srv *httptest.Server
	key string
}

func newSimHTTP(t *testing.T, opts Options) (*Sim, *simHTTP) {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return s, &simHTTP{t: t, srv: srv, key: s.InitialAPIKey()}
}

func (h *simHTTP) do(method, path, idk string, body any) (int, http.Header, klarna.ErrorBody, []byte) {
	h.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, h.srv.URL+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Basic "+h.key)
	req.Header.Set("Content-Type", "application/json")
	if idk != "" {
		req.Header.Set(klarna.HeaderIdempotencyKey, idk)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var eb klarna.ErrorBody
	_ = json.Unmarshal(raw, &eb)
	return resp.StatusCode, resp.Header, eb, raw
}

func params(eb klarna.ErrorBody) []string {
	var out []string
	for _, v := range eb.ValidationErrors {
		out = append(out, v.Parameter)
	}
	return out
}

func seeded(t *testing.T, s *Sim, spec PartnerSpec) *klarna.OnboardResponse {
	t.Helper()
	p, err := s.SeedPartner(spec)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestManagementWrites_BadFieldsAllAnswered400WithTheirPaths(t *testing.T) {
	s, h := newSimHTTP(t, Options{DisableRateLimits: true})
	p := seeded(t, s, PartnerSpec{Operational: true})
	acct := "/v2/accounts/" + p.PartnerAccountID

	code, _, eb, _ := h.do("PATCH", acct, "", map[string]any{"partner_account_contact": map[string]string{"email": "nope", "phone": "0701234567"}})
	if code != 400 || eb.ErrorCode != klarna.CodeValidation || strings.Join(params(eb), ",") != "partner_account_contact.email,partner_account_contact.phone" {
		t.Fatalf("account: %d %+v", code, eb)
	}
	code, _, eb, _ = h.do("PATCH", acct+"/brands/"+p.Brands[0].BrandID, "", map[string]any{"element": map[string]string{"logo_url": "ftp://x", "icon_url": "not a url"}})
	if code != 400 || len(eb.ValidationErrors) != 2 {
		t.Fatalf("brand: %d %+v", code, eb)
	}
	code, _, eb, _ = h.do("PATCH", acct+"/store-groups/"+p.StoreGroups[0].StoreGroupID, "", map[string]any{
		"support_contact":    map[string]string{"email": "x@", "phone": "12", "contact_form": "nope"},
		"social_media_links": []map[string]string{{"provider": "", "url": "x"}},
	})
	if code != 400 || len(eb.ValidationErrors) != 5 {
		t.Fatalf("store group: %d %+v", code, eb)
	}
	code, _, eb, _ = h.do("PATCH", acct+"/stores/"+p.StoreGroups[0].Stores[0].StoreID, "", map[string]any{"url": "shop.example", "store_reference": "OTHER"})
	if code != 400 || strings.Join(params(eb), ",") != "store_reference" {
		t.Fatalf("store reference: %d %+v", code, eb)
	}
	code, _, eb, _ = h.do("PATCH", acct+"/stores/"+p.StoreGroups[0].Stores[0].StoreID, "", map[string]any{"url": "shop.example"})
	if code != 400 || strings.Join(params(eb), ",") != "url" {
		t.Fatalf("store url: %d %+v", code, eb)
	}
	code, _, eb, _ = h.do("PATCH", acct+"/partner-business-entities/"+p.PartnerBusinessEntities[0].PartnerBusinessEntityID, "", map[string]any{
		"legal_registration_country": "DK",
		"supplementary_business_data": map[string]any{
			"operating_addresses": []map[string]string{{"city": "", "country": "Sweden"}},
			"stakeholders":        []map[string]any{{"given_name": "A", "date_of_birth": "12/03/1984"}},
		},
	})
	want := "legal_registration_country,supplementary_business_data.operating_addresses[0].country,supplementary_business_data.operating_addresses[0].city," +
		"supplementary_business_data.stakeholders[0].family_name,supplementary_business_data.stakeholders[0].date_of_birth,supplementary_business_data.stakeholders[0].roles"
	if code != 400 || strings.Join(params(eb), ",") != want {
		t.Fatalf("entity: %d %v", code, params(eb))
	}
	code, _, eb, _ = h.do("POST", acct+"/stores", "", map[string]any{"store_reference": "X-ST-2", "store_group_id": p.StoreGroups[0].StoreGroupID, "type": "website"})
	if code != 400 || strings.Join(params(eb), ",") != "type" {
		t.Fatalf("store create: %d %+v", code, eb)
	}
}

func TestManagementWrites_RefusedWhilePartiallyOperational(t *testing.T) {
	s, h := newSimHTTP(t, Options{DisableRateLimits: true})
	p := seeded(t, s, PartnerSpec{HoldPartial: true})
	code, _, eb, _ := h.do("PATCH", "/v2/accounts/"+p.PartnerAccountID+"/brands/"+p.Brands[0].BrandID, "", map[string]any{"display_name": "Early"})
	if code != 409 || eb.ErrorCode != klarna.CodeResourceConflict {
		t.Fatalf("%d %+v", code, eb)
	}
}

func TestManagementWrites_IdempotencyReplaysTheFirstAnswer(t *testing.T) {
	s, h := newSimHTTP(t, Options{DisableRateLimits: true})
	p := seeded(t, s, PartnerSpec{Operational: true})
	path := "/v2/accounts/" + p.PartnerAccountID + "/brands"
	body := map[string]any{"brand_reference": "NEW-BR", "display_name": "New brand"}
	c1, _, _, b1 := h.do("POST", path, "k-1", body)
	c2, _, _, b2 := h.do("POST", path, "k-1", body)
	if c1 != 201 || c2 != 201 || !bytes.Equal(b1, b2) {
		t.Fatalf("replay: %d %d %s %s", c1, c2, b1, b2)
	}
	if c3, _, eb, _ := h.do("POST", path, "k-1", map[string]any{"brand_reference": "OTHER-BR", "display_name": "Other"}); c3 != 409 {
		t.Fatalf("same key, other body: %d %+v", c3, eb)
	}
	n := 0
	for _, b := range s.st.Accounts[p.PartnerAccountID].Brands {
		if b.BrandReference == "NEW-BR" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("brand created %d times", n)
	}
}

func TestManagementWrites_PacedPerAccountWith429AndRetryAfter(t *testing.T) {
	s, h := newSimHTTP(t, Options{RateLimits: map[string]RateLimit{CategoryAccountWrites: {PerSecond: 1, Burst: 1}}})
	a := seeded(t, s, PartnerSpec{Operational: true})
	b := seeded(t, s, PartnerSpec{Operational: true})
	patch := func(p *klarna.OnboardResponse, name string) (int, http.Header) {
		code, hdr, _, _ := h.do("PATCH", "/v2/accounts/"+p.PartnerAccountID+"/brands/"+p.Brands[0].BrandID, "", map[string]any{"display_name": name})
		return code, hdr
	}
	if code, _ := patch(a, "one"); code != 200 {
		t.Fatalf("first write: %d", code)
	}
	code, hdr := patch(a, "two")
	if code != 429 || hdr.Get("Retry-After") != "1" {
		t.Fatalf("second write within a second: %d Retry-After %q", code, hdr.Get("Retry-After"))
	}
	if code, _ := patch(b, "other account"); code != 200 {
		t.Fatalf("another account's write: %d", code)
	}
	// Reads are not paced.
	req, _ := http.NewRequest("GET", h.srv.URL+"/v2/accounts/"+a.PartnerAccountID+"/brands", nil)
	req.Header.Set("Authorization", "Basic "+h.key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("read: %v %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	// The bucket refills in real time: the write goes through within about a second.
	start := time.Now()
	for code, _ := patch(a, "two"); code != 200; code, _ = patch(a, "two") {
		if code != 429 || time.Since(start) > 3*time.Second {
			t.Fatalf("after waiting %s: %d", time.Since(start), code)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestDemoImages_ServedAsPNGAndAPageThatIsNot(t *testing.T) {
	_, h := newSimHTTP(t, Options{})
	resp, err := http.Get(DemoImageURL(h.srv.URL, "logo", "blue"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Fatalf("logo: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp, _ = http.Get(h.srv.URL + demoImagesPath + "not-an-image.html")
	resp.Body.Close()
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatal(resp.Header.Get("Content-Type"))
	}
	resp, _ = http.Get(h.srv.URL + demoImagesPath + "logo-black.png")
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatal(resp.StatusCode)
	}
}
