package httpapi_test

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/app/apptest"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apitest"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/partner"
)

type klarnaCallPage struct {
	Items         []apigen.KlarnaCall `json:"items"`
	NextCursor    *string             `json:"next_cursor"`
	RetentionDays int                 `json:"retention_days"`
}

func klarnaCalls(t *testing.T, c *apitest.Client, query string) klarnaCallPage {
	t.Helper()
	return decode[klarnaCallPage](t, c.Get("/api/v1/klarna/calls"+query), 200)
}

// flushCallLog writes what the recorder holds, so the log can be read.
func flushCallLog(t *testing.T, a *apptest.App) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := a.CallLog.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

// The call log never holds an API key, a secret or a personal field, over
// a whole simulator run: the demo seed, an onboarding with contact,
// stakeholder, address and bank data (one Klarna accepts, one it rejects),
// an API key and a client identifier created for the new partner, and a
// change of its contact's e-mail and phone. Every stored row, all columns
// as text, is scanned for them.
func TestKlarnaCallLog_HoldsNoKeySecretOrPersonalData(t *testing.T) {
	t.Parallel()
	e := startOnboarding(t, nil)
	a, admin := e.a, e.admin

	// Klarna refuses this one: its payment profile is not the acquirer's.
	bad := e.payload("LOG-BAD")
	bad.PaymentProduct.PaymentProfileID = "krn:profile:not-ours"
	rejected := e.create()
	e.save(rejected, bad)
	e.submit(rejected.Id)
	e.waitStatus(rejected.Id, apigen.OnboardingStatusRejected)

	good := e.payload("LOG-OK")
	d := e.create()
	e.save(d, good)
	e.submit(d.Id)
	done := e.waitStatus(d.Id, apigen.OnboardingStatusSucceeded)
	tn := tenantIDOf(t, a, "log-ok")
	e.waitOperational(done.KlarnaAccountId)

	r := admin.Send("POST", "/api/v1/tenants/"+tn+"/credentials/api-keys", "application/json", jsonBody(map[string]string{"description": "shop backend"}))
	created := decode[apigen.CreatedAPIKey](t, r, 201)
	r = admin.Send("POST", "/api/v1/tenants/"+tn+"/credentials/client-identifiers", "application/json",
		jsonBody(map[string]any{"description": "web", "origins": []string{"https://shop.log-ok.example"}}))
	if r.Status != 201 {
		t.Fatalf("create client identifier: %d %s", r.Status, r.Body)
	}
	contact := apigen.OnboardingContact{GivenName: "Henrietta", FamilyName: "Quarnström", Email: "henrietta.q@log-ok.example", Phone: "+46709998877"}
	if r := admin.Send("PATCH", "/api/v1/tenants/"+tn+"/partner/account", "application/json", jsonBody(contact)); r.Status != 202 {
		t.Fatalf("change contact: %d %s", r.Status, r.Body)
	}
	// Wait for the change to reach Klarna (a job, paced per account).
	deadline := time.Now().Add(30 * time.Second)
	for {
		flushCallLog(t, a)
		if p := klarnaCalls(t, admin, "?operation=update_account&outcome=ok&tenant="+tn); len(p.Items) > 0 {
			if c := p.Items[0]; c.ObjectKind != "account" || c.ObjectId != done.KlarnaAccountId || c.IdempotencyKey == "" || c.Status != 200 {
				t.Fatalf("update_account call = %+v", c)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the contact change never reached Klarna")
		}
		time.Sleep(50 * time.Millisecond)
	}
	flushCallLog(t, a)

	// What the log must show: the onboarding (by draft), the refusal with
	// Klarna's error body, the key by its id.
	onb := klarnaCalls(t, admin, "?object_kind=onboarding&object_id="+d.Id.String())
	if len(onb.Items) == 0 || onb.Items[0].Operation != string(klarna.OpOnboard) || onb.Items[0].PartnerAccountId != done.KlarnaAccountId || onb.Items[0].Outcome != "ok" {
		t.Fatalf("the onboarding's calls = %+v", onb.Items)
	}
	ref := klarnaCalls(t, admin, "?object_kind=onboarding&object_id="+rejected.Id.String())
	if len(ref.Items) == 0 || ref.Items[0].Status != 400 || ref.Items[0].ErrorCode != klarna.CodeValidation || ref.Items[0].ErrorId == "" || len(ref.Items[0].ErrorMessages) == 0 {
		t.Fatalf("the rejected onboarding's calls = %+v", ref.Items)
	}
	keys := klarnaCalls(t, admin, "?operation=create_api_key&tenant="+tn)
	if len(keys.Items) != 1 || keys.Items[0].ObjectKind != "credential" || keys.Items[0].ObjectId != created.Key.CredentialId || keys.Items[0].TenantId == nil || keys.Items[0].TenantId.String() != tn {
		t.Fatalf("create_api_key calls = %+v", keys.Items)
	}

	var rows []string
	if err := a.DB.Gorm.Raw(`SELECT row_to_json(c)::text FROM klarna_calls c`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if len(rows) < 20 {
		t.Fatalf("only %d calls logged; the scan would prove little", len(rows))
	}
	ops := map[string]bool{}
	for _, row := range rows {
		var m map[string]any
		_ = json.Unmarshal([]byte(row), &m)
		ops[m["operation"].(string)] = true
	}
	for _, want := range []string{"onboard", "create_api_key", "create_client_identifier", "update_account", "get_account", "list_payment_profiles"} {
		if !ops[want] {
			t.Errorf("no %s call logged (logged: %v)", want, ops)
		}
	}
	forbidden := map[string]string{
		"the acquirer's API key": e.sim.InitialAPIKey(),
		"the new key's secret":   created.Secret,
	}
	if forbidden["the new key's secret"] == "" {
		t.Fatal("the new key's secret was not captured")
	}
	for _, o := range []partner.Onboarding{good, bad} {
		b, _ := json.Marshal(o)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		personalLeaves(m, "", forbidden)
	}
	forbidden["the new contact's given name"], forbidden["the new contact's family name"] = contact.GivenName, contact.FamilyName
	forbidden["the new contact's e-mail"], forbidden["the new contact's phone"] = contact.Email, contact.Phone
	if len(forbidden) < 12 {
		t.Fatalf("too few personal values to look for: %v", forbidden)
	}
	for _, row := range rows {
		for what, v := range forbidden {
			if strings.Contains(row, v) || strings.Contains(row, strings.ReplaceAll(v, " ", "")) {
				t.Errorf("a logged call holds %s (%q): %s", what, v, row)
			}
		}
	}
}

// personalLeaves collects the personal values of an onboarding payload
// (names, e-mails, phones, addresses, dates of birth, bank accounts).
func personalLeaves(v any, key string, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			personalLeaves(c, k, out)
		}
	case []any:
		for _, c := range x {
			personalLeaves(c, key, out)
		}
	case string:
		for _, k := range []string{"given_name", "family_name", "email", "phone", "street_address", "date_of_birth", "iban", "account_holder", "legal_registration_number"} {
			if (key == k || strings.HasSuffix(key, "_"+k)) && len(x) >= 4 {
				out[key+" "+x] = x
			}
		}
	}
}

// Tenant scope: a merchant admin sees its own partner's calls only and
// gets the same 404 for another partner's call as for an unknown one; an
// acquirer admin sees every call, the acquirer's own (no partner)
// included; roles without klarna:log:read get 403; bad filters answer
// 400 with every field error at once.
func TestKlarnaCallLog_TenantScopeAndPermissions(t *testing.T) {
	t.Parallel()
	a := apptest.Start(t, nil, nil)
	ctx := t.Context()
	accOf := map[string]string{}
	for _, slug := range []string{"aurora", "borealis"} {
		acc := "krn:partner:global:account:test:LOG" + strings.ToUpper(slug)
		accOf[slug] = acc
		if err := a.DB.Gorm.WithContext(ctx).Exec(`INSERT INTO partner_accounts (klarna_account_id, tenant_id) VALUES (?, ?)`, acc, tenantIDOf(t, a, slug)).Error; err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	call := func(partner, op, kind, id, idem string, status int, outcome string) {
		a.CallLog.RecordCall(klarna.CallRecord{At: now, Operation: klarna.Operation(op), Method: "PATCH", Path: klarna.Routes[klarna.Operation(op)].Path, Host: "gateway",
			PartnerAccount: partner, ObjectKind: kind, ObjectID: id, Status: status, Outcome: outcome, Duration: 40 * time.Millisecond, Attempts: 1,
			IdempotencyKey: idem, CorrelationID: "corr-" + idem})
		now = now.Add(time.Millisecond)
	}
	call(accOf["aurora"], "update_brand", "brand", "brand-aurora-1", "idem-a1", 200, "ok")
	call(accOf["aurora"], "update_store", "store", "store-aurora-1", "idem-a2", 503, "server_error")
	call(accOf["borealis"], "update_brand", "brand", "brand-borealis-1", "idem-b1", 200, "ok")
	call("", "list_payment_profiles", "", "", "idem-acq", 200, "ok")
	flushCallLog(t, a)

	ids := func(p klarnaCallPage) []string {
		var out []string
		for _, c := range p.Items {
			if c.IdempotencyKey != "" && strings.HasPrefix(c.IdempotencyKey, "idem-") {
				out = append(out, c.IdempotencyKey)
			}
		}
		slices.Sort(out)
		return out
	}
	admin := a.Login("acquirer-admin")
	all := klarnaCalls(t, admin, "?limit=200")
	if got := ids(all); !slices.Equal(got, []string{"idem-a1", "idem-a2", "idem-acq", "idem-b1"}) {
		t.Fatalf("the acquirer admin sees %v", got)
	}
	if all.RetentionDays != 30 {
		t.Fatalf("retention_days = %d", all.RetentionDays)
	}
	callID := map[string]int64{}
	for _, c := range all.Items {
		callID[c.IdempotencyKey] = c.Id
		if c.IdempotencyKey == "idem-acq" && c.TenantId != nil {
			t.Fatalf("the acquirer's call has a tenant: %+v", c)
		}
	}
	merchantA, merchantB := a.Login("merchant-admin"), a.Login("merchant-admin-b")
	if got := ids(klarnaCalls(t, merchantA, "")); !slices.Equal(got, []string{"idem-a1", "idem-a2"}) {
		t.Fatalf("aurora's merchant admin sees %v", got)
	}
	if got := ids(klarnaCalls(t, merchantB, "")); !slices.Equal(got, []string{"idem-b1"}) {
		t.Fatalf("borealis's merchant admin sees %v", got)
	}
	// Narrowing to the other partner narrows to nothing.
	if got := ids(klarnaCalls(t, merchantA, "?tenant="+tenantIDOf(t, a, "borealis"))); len(got) != 0 {
		t.Fatalf("aurora's merchant admin narrowed to borealis sees %v", got)
	}
	// Another partner's call is the same 404 as an unknown one.
	other := merchantA.Get("/api/v1/klarna/calls/" + itoa(callID["idem-b1"]))
	unknown := merchantA.Get("/api/v1/klarna/calls/999999999")
	acq := merchantA.Get("/api/v1/klarna/calls/" + itoa(callID["idem-acq"]))
	if other.Status != 404 || unknown.Status != 404 || acq.Status != 404 || callProblem(other) != callProblem(unknown) {
		t.Fatalf("other partner's call %d %s; unknown %d %s; acquirer's %d", other.Status, other.Body, unknown.Status, unknown.Body, acq.Status)
	}
	own := decode[apigen.KlarnaCall](t, merchantA.Get("/api/v1/klarna/calls/"+itoa(callID["idem-a2"])), 200)
	if own.Status != 503 || own.Outcome != "server_error" || own.DurationMs != 40 || own.TenantName == nil || *own.TenantName != "Aurora Outfitters" {
		t.Fatalf("own call detail = %+v", own)
	}
	if r := merchantB.Get("/api/v1/klarna/calls/" + itoa(callID["idem-a1"])); r.Status != 404 {
		t.Fatalf("borealis reads aurora's call: %d", r.Status)
	}
	if r := admin.Get("/api/v1/klarna/calls/" + itoa(callID["idem-acq"])); r.Status != 200 {
		t.Fatalf("the acquirer admin reads the acquirer's call: %d", r.Status)
	}

	// Filters.
	for q, want := range map[string][]string{
		"?object_kind=brand&object_id=brand-aurora-1": {"idem-a1"},
		"?object_kind=brand":                          {"idem-a1", "idem-b1"},
		"?outcome=server_error":                       {"idem-a2"},
		"?status=503":                                 {"idem-a2"},
		"?operation=update_brand&tenant=" + tenantIDOf(t, a, "borealis"): {"idem-b1"},
		"?q=idem-acq":     {"idem-acq"},
		"?q=corr-idem-a1": {"idem-a1"},
		"?from=" + url.QueryEscape(now.Add(time.Hour).UTC().Format(time.RFC3339)): nil,
	} {
		if got := ids(klarnaCalls(t, admin, q)); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", q, got, want)
		}
	}
	// Keyset paging.
	p1 := klarnaCalls(t, admin, "?limit=1&q=idem-a1")
	if len(p1.Items) != 1 || p1.NextCursor != nil {
		t.Fatalf("one match, one page: %+v", p1)
	}
	first := klarnaCalls(t, admin, "?limit=2")
	if first.NextCursor == nil {
		t.Fatal("no next cursor")
	}
	second := klarnaCalls(t, admin, "?limit=2&cursor="+url.QueryEscape(*first.NextCursor))
	if len(second.Items) == 0 || second.Items[0].Id >= first.Items[1].Id && second.Items[0].At.Equal(first.Items[1].At) {
		t.Fatalf("second page %+v after %+v", second.Items, first.Items)
	}

	// Every bad filter at once.
	r := admin.Get("/api/v1/klarna/calls?outcome=nope&status=abc&from=yesterday&operation=bogus&object_id=x&limit=0&cursor=zz")
	if r.Status != 400 {
		t.Fatalf("bad filters: %d %s", r.Status, r.Body)
	}
	var prob struct {
		Errors []struct{ Field string } `json:"errors"`
	}
	_ = json.Unmarshal(r.Body, &prob)
	var fields []string
	for _, f := range prob.Errors {
		fields = append(fields, f.Field)
	}
	slices.Sort(fields)
	if want := []string{"from", "limit", "object_kind", "operation", "outcome", "status"}; !slices.Equal(fields, want) {
		t.Fatalf("field errors %v, want %v (%s)", fields, want, r.Body)
	}

	// Roles without klarna:log:read.
	for _, persona := range []string{"acquirer-support", "acquirer-finance", "auditor", "merchant-disputes", "merchant-finance"} {
		c := a.Login(persona)
		if r := c.Get("/api/v1/klarna/calls"); r.Status != 403 {
			t.Errorf("%s lists the call log: %d", persona, r.Status)
		}
		if r := c.Get("/api/v1/klarna/calls/" + itoa(callID["idem-a1"])); r.Status != 403 {
			t.Errorf("%s reads a call: %d", persona, r.Status)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func callProblem(r *apitest.Response) string {
	var p struct{ Detail, Code string }
	_ = json.Unmarshal(r.Body, &p)
	return p.Code + ": " + p.Detail
}
