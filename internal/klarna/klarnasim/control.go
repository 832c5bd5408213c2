package klarnasim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
)

// ControlPrefix is the path prefix of the control API. It needs no API key
// and is meant for loopback use by developers, tests and `partnerdesk dev`.
const ControlPrefix = "/_sim/"

// ControlRoutes documents the control API (also served at GET /_sim/).
var ControlRoutes = []string{
	"GET    /_sim/                          this list",
	"GET    /_sim/state                     counts, clock, faults, initial API key",
	"POST   /_sim/api-keys                  {description} → {api_key} (a new klarna_test_api_… key)",
	"POST   /_sim/partners                  PartnerSpec → onboard response (seed a partner)",
	"POST   /_sim/accounts/{id}/state       {state: OPERATIONAL|DISABLED} (Klarna support action)",
	"POST   /_sim/accounts/{id}/product     {status: ENABLED|DISABLED|TERMINATED} (Klarna-side change, with webhook)",
	"POST   /_sim/disputes                  DisputeSpec → {count, payment_dispute_ids} (open disputes; count up to 200000)",
	"POST   /_sim/disputes/{id}/advance     run the dispute's next automatic step now",
	"POST   /_sim/disputes/{id}/extend-deadline {hours} (representment-deadline-extended webhook)",
	"POST   /_sim/captures                  {partner_account_id, amount, count} simulated captures",
	"POST   /_sim/refunds                   {partner_account_id} a simulated partial refund",
	"POST   /_sim/payments                  PaymentSpec → PaymentInfo {payment_request_id, order_id, payment_transaction_id, …} (a payment along a flow; capture, out_of_order)",
	"GET    /_sim/payments?partner_account_id= the partner's payments, oldest first",
	"POST   /_sim/payments/history          {partner_account_id} → {sent} (send the payment webhooks not sent yet, oldest first)",
	"POST   /_sim/settlements/run           {partner_account_id?, mismatch?} → {payment_references} (mismatch: the first payout's fee total over-reports its lines by this many minor units)",
	"POST   /_sim/settlements/history       SettlementHistory → {payment_references} (weekly payouts in the past)",
	"GET    /_sim/clock                     {now, speed}",
	"PUT    /_sim/clock                     {speed}",
	"POST   /_sim/clock/advance             {duration: \"36h\"} and fire what became due",
	"GET    /_sim/faults                    current Faults",
	"PUT    /_sim/faults                    Faults (error/timeout rates, next-N faults, latency, webhook drop/dup/reorder)",
	"DELETE /_sim/faults                    clear all faults",
	"GET    /_sim/rate-limits               {enabled, limits}",
	"PUT    /_sim/rate-limits               {enabled, limits: {CATEGORY: {per_second, burst}}}",
	"GET    /_sim/traffic                   {enabled}",
	"PUT    /_sim/traffic                   {enabled} demo traffic generator",
	"GET    /_sim/webhooks/deliveries       recent delivery attempts",
	"GET    /_sim/events                    recent events",
	"POST   /_sim/snapshot                  write the snapshot file now",
}

func (s *Sim) controlRoutes() {
	m := s.mux
	ok := func(w http.ResponseWriter, status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	fail := func(w http.ResponseWriter, status int, err error) {
		ok(w, status, map[string]string{"error": err.Error()})
	}
	decode := func(w http.ResponseWriter, r *http.Request, v any) bool {
		if r.ContentLength == 0 {
			return true
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(v); err != nil {
			fail(w, 400, fmt.Errorf("invalid JSON: %w", err))
			return false
		}
		return true
	}
	m.HandleFunc("GET /_sim/{$}", func(w http.ResponseWriter, r *http.Request) { ok(w, 200, map[string]any{"routes": ControlRoutes}) })
	m.HandleFunc("GET /_sim/state", func(w http.ResponseWriter, r *http.Request) { ok(w, 200, s.Stats()) })
	m.HandleFunc("POST /_sim/api-keys", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Description string }
		if decode(w, r, &in) {
			if in.Description == "" {
				in.Description = "issued by the control API"
			}
			ok(w, 201, map[string]string{"api_key": s.issueAPIKey(in.Description)})
		}
	})
	m.HandleFunc("POST /_sim/partners", func(w http.ResponseWriter, r *http.Request) {
		var in PartnerSpec
		if !decode(w, r, &in) {
			return
		}
		out, err := s.SeedPartner(in)
		if err != nil {
			fail(w, 400, err)
			return
		}
		ok(w, 201, out)
	})
	m.HandleFunc("POST /_sim/accounts/{id}/state", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ State string }
		if !decode(w, r, &in) {
			return
		}
		if err := s.SetAccountState(r.PathValue("id"), klarna.PartnerAccountState(strings.ToUpper(in.State))); err != nil {
			fail(w, 400, err)
			return
		}
		ok(w, 200, map[string]string{"state": strings.ToUpper(in.State)})
	})
	m.HandleFunc("POST /_sim/accounts/{id}/product", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Status string }
		if !decode(w, r, &in) {
			return
		}
		if err := s.SetProductStatus(r.PathValue("id"), klarna.PaymentProductStatus(strings.ToUpper(in.Status))); err != nil {
			fail(w, 400, err)
			return
		}
		ok(w, 200, map[string]string{"status": strings.ToUpper(in.Status)})
	})
	m.HandleFunc("POST /_sim/disputes", func(w http.ResponseWriter, r *http.Request) {
		var in DisputeSpec
		if !decode(w, r, &in) {
			return
		}
		ids, err := s.OpenDisputes(in)
		if err != nil {
			fail(w, 400, err)
			return
		}
		shown := ids
		if len(shown) > 1000 {
			shown = shown[:1000]
		}
		ok(w, 201, map[string]any{"count": len(ids), "payment_dispute_ids": shown})
	})
	m.HandleFunc("POST /_sim/disputes/{id}/advance", func(w http.ResponseWriter, r *http.Request) {
		st, err := s.AdvanceDispute(r.PathValue("id"))
		if errors.Is(err, errNotFound) {
			fail(w, 404, err)
			return
		}
		if err != nil {
			fail(w, 409, err)
			return
		}
		ok(w, 200, map[string]string{"state": string(st)})
	})
	m.HandleFunc("POST /_sim/disputes/{id}/extend-deadline", func(w http.ResponseWriter, r *http.Request) {
		in := struct{ Hours float64 }{Hours: 72}
		if !decode(w, r, &in) {
			return
		}
		if err := s.ExtendDeadline(r.PathValue("id"), time.Duration(in.Hours*float64(time.Hour))); err != nil {
			fail(w, 409, err)
			return
		}
		ok(w, 200, map[string]string{"status": "extended"})
	})
	m.HandleFunc("POST /_sim/captures", func(w http.ResponseWriter, r *http.Request) {
		in := struct {
			PartnerAccountID string `json:"partner_account_id"`
			Amount           int64  `json:"amount"`
			Count            int    `json:"count"`
		}{Amount: 49900, Count: 1}
		if !decode(w, r, &in) {
			return
		}
		var orders []string
		for range max(in.Count, 1) {
			o, err := s.Capture(in.PartnerAccountID, in.Amount)
			if err != nil {
				fail(w, 404, err)
				return
			}
			orders = append(orders, o)
		}
		ok(w, 201, map[string]any{"order_ids": orders})
	})
	m.HandleFunc("POST /_sim/refunds", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			PartnerAccountID string `json:"partner_account_id"`
		}
		if !decode(w, r, &in) {
			return
		}
		if err := s.Refund(in.PartnerAccountID); err != nil {
			fail(w, 400, err)
			return
		}
		ok(w, 201, map[string]string{"status": "refunded"})
	})
	m.HandleFunc("POST /_sim/payments", func(w http.ResponseWriter, r *http.Request) {
		var in PaymentSpec
		if !decode(w, r, &in) {
			return
		}
		out, err := s.CreatePayment(in)
		if errors.Is(err, errNotFound) {
			fail(w, 404, fmt.Errorf("partner account %q not found (or it has no settlement currency)", in.PartnerAccountID))
			return
		}
		if err != nil {
			fail(w, 400, err)
			return
		}
		ok(w, 201, out)
	})
	m.HandleFunc("GET /_sim/payments", func(w http.ResponseWriter, r *http.Request) {
		ps := s.Payments(r.URL.Query().Get("partner_account_id"))
		if ps == nil {
			ps = []PaymentInfo{}
		}
		ok(w, 200, map[string]any{"payments": ps})
	})
	m.HandleFunc("POST /_sim/payments/history", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			PartnerAccountID string `json:"partner_account_id"`
		}
		if !decode(w, r, &in) {
			return
		}
		n, err := s.EmitPaymentHistory(in.PartnerAccountID)
		if err != nil {
			fail(w, 404, err)
			return
		}
		ok(w, 200, map[string]int{"sent": n})
	})
	m.HandleFunc("POST /_sim/settlements/run", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			PartnerAccountID string `json:"partner_account_id"`
			Mismatch         int64  `json:"mismatch"`
		}
		if !decode(w, r, &in) {
			return
		}
		refs, err := s.RunMismatchedSettlement(in.PartnerAccountID, in.Mismatch)
		if err != nil {
			fail(w, 404, err)
			return
		}
		ok(w, 201, map[string]any{"payment_references": refs})
	})
	m.HandleFunc("POST /_sim/settlements/history", func(w http.ResponseWriter, r *http.Request) {
		var in SettlementHistory
		if !decode(w, r, &in) {
			return
		}
		refs, err := s.SeedSettlementHistory(in)
		if err != nil {
			fail(w, 404, err)
			return
		}
		ok(w, 201, map[string]any{"payment_references": refs})
	})
	m.HandleFunc("GET /_sim/clock", func(w http.ResponseWriter, r *http.Request) {
		ok(w, 200, map[string]any{"now": s.clock.Now(), "speed": s.clock.Speed()})
	})
	m.HandleFunc("PUT /_sim/clock", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Speed float64 }
		if !decode(w, r, &in) {
			return
		}
		if in.Speed <= 0 {
			fail(w, 400, errors.New("speed must be positive"))
			return
		}
		s.clock.SetSpeed(in.Speed)
		ok(w, 200, map[string]any{"now": s.clock.Now(), "speed": s.clock.Speed()})
	})
	m.HandleFunc("POST /_sim/clock/advance", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Duration string }
		if !decode(w, r, &in) {
			return
		}
		d, err := time.ParseDuration(in.Duration)
		if err != nil || d < 0 {
			fail(w, 400, errors.New("duration must be a positive Go duration such as 36h"))
			return
		}
		s.Advance(d)
		ok(w, 200, map[string]any{"now": s.clock.Now(), "speed": s.clock.Speed()})
	})
	m.HandleFunc("GET /_sim/faults", func(w http.ResponseWriter, r *http.Request) { ok(w, 200, s.faults.snapshot()) })
	m.HandleFunc("PUT /_sim/faults", func(w http.ResponseWriter, r *http.Request) {
		var in Faults
		if !decode(w, r, &in) {
			return
		}
		s.SetFaults(in)
		ok(w, 200, in)
	})
	m.HandleFunc("DELETE /_sim/faults", func(w http.ResponseWriter, r *http.Request) {
		s.SetFaults(Faults{})
		ok(w, 200, Faults{})
	})
	m.HandleFunc("GET /_sim/rate-limits", func(w http.ResponseWriter, r *http.Request) {
		s.limiter.mu.Lock()
		defer s.limiter.mu.Unlock()
		ok(w, 200, map[string]any{"enabled": s.limiter.on, "limits": s.limiter.limits})
	})
	m.HandleFunc("PUT /_sim/rate-limits", func(w http.ResponseWriter, r *http.Request) {
		in := struct {
			Enabled bool                 `json:"enabled"`
			Limits  map[string]RateLimit `json:"limits"`
		}{Enabled: true}
		if !decode(w, r, &in) {
			return
		}
		s.limiter.set(in.Limits, in.Enabled)
		ok(w, 200, in)
	})
	m.HandleFunc("GET /_sim/traffic", func(w http.ResponseWriter, r *http.Request) {
		s.mu.RLock()
		defer s.mu.RUnlock()
		ok(w, 200, map[string]bool{"enabled": s.trafficOn})
	})
	m.HandleFunc("PUT /_sim/traffic", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Enabled bool }
		if !decode(w, r, &in) {
			return
		}
		s.SetTraffic(in.Enabled)
		ok(w, 200, map[string]bool{"enabled": in.Enabled})
	})
	m.HandleFunc("GET /_sim/webhooks/deliveries", func(w http.ResponseWriter, r *http.Request) {
		ok(w, 200, map[string]any{"deliveries": s.Deliveries()})
	})
	m.HandleFunc("GET /_sim/events", func(w http.ResponseWriter, r *http.Request) {
		s.mu.RLock()
		defer s.mu.RUnlock()
		ok(w, 200, map[string]any{"events": s.st.Events})
	})
	m.HandleFunc("POST /_sim/snapshot", func(w http.ResponseWriter, r *http.Request) {
		if err := s.SaveSnapshot(); err != nil {
			fail(w, 400, err)
			return
		}
		ok(w, 200, map[string]string{"status": "saved"})
	})
}

// SetFaults replaces the fault configuration.
func (s *Sim) SetFaults(f Faults) { s.faults.set(f) }

// SetTraffic turns the demo traffic generator on or off.
func (s *Sim) SetTraffic(on bool) {
	s.mu.Lock()
	s.trafficOn = on
	s.mu.Unlock()
}

// Stats summarises the simulator.
type Stats struct {
	Now             time.Time      `json:"now"`
	Speed           float64        `json:"speed"`
	Accounts        int            `json:"accounts"`
	Disputes        int            `json:"disputes"`
	DisputesByState map[string]int `json:"disputes_by_state"`
	Payments        int            `json:"payments"`
	Payouts         int            `json:"payouts"`
	PendingLines    int            `json:"pending_settlement_lines"`
	Webhooks        int            `json:"webhooks"`
	SigningKeys     int            `json:"signing_keys"`
	Timers          int            `json:"timers"`
	Faults          Faults         `json:"faults"`
	InitialAPIKey   string         `json:"initial_api_key"`
	AcquirerAccount string         `json:"acquirer_account_id"`
}

// Stats returns counts for the control API and tests.
func (s *Sim) Stats() Stats {
	key := s.InitialAPIKey()
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := Stats{Now: s.clock.Now(), Speed: s.clock.Speed(), Accounts: len(s.st.Accounts), Disputes: len(s.st.Disputes),
		DisputesByState: map[string]int{}, Payments: len(s.st.Payments), Payouts: len(s.st.Ledger.Payouts), Webhooks: len(s.st.Webhooks),
		SigningKeys: len(s.st.SigningKeys), Timers: s.sched.len(), Faults: s.faults.snapshot(), InitialAPIKey: key,
		AcquirerAccount: s.opts.AcquirerAccountID}
	for _, state := range []klarna.DisputeState{klarna.DisputeInitiated, klarna.DisputeRepresentment, klarna.DisputePreArbitration, klarna.DisputeArbitration, klarna.DisputeClosed} {
		st.DisputesByState[string(state)] = s.st.disputeIdx.stateCount[string(state)]
	}
	for _, l := range s.st.Ledger.Pending {
		st.PendingLines += len(l)
	}
	return st
}

// PartnerSpec seeds a fully onboarded partner.
type PartnerSpec struct {
	Reference   string `json:"reference"`   // default generated
	Name        string `json:"name"`        // default "Demo Merchant N"
	Email       string `json:"email"`       // contact e-mail
	Country     string `json:"country"`     // legal registration country (default SE)
	Currency    string `json:"currency"`    // SEK or EUR: picks the acquiring account (default SEK)
	LogoURL     string `json:"logo_url"`    // brand logo (".invalid" host triggers brand.data-incomplete)
	Website     string `json:"website"`     // store URL
	Operational bool   `json:"operational"` // skip PARTIALLY_OPERATIONAL (still sends the webhook)
	// OperationalAfterSeconds turns the account OPERATIONAL this many
	// simulated seconds after onboarding instead of Options.OperationalDelay
	// (an onboarding that completes while you watch).
	OperationalAfterSeconds int `json:"operational_after_seconds"`
	// HoldPartial keeps the account PARTIALLY_OPERATIONAL until
	// SetAccountState moves it (a stuck onboarding).
	HoldPartial bool `json:"hold_partial"`
	// Disabled disables the account (and its payment product) right after
	// onboarding, as Klarna support would; no webhook is sent for it.
	Disabled bool `json:"disabled"`
}

// PartnerAccountID is the id of the account onboarded with reference, if any.
func (s *Sim) PartnerAccountID(reference string) (string, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.st.accountByRef[reference]
	return id, ok
}

// SeedPartner onboards a partner with one entity, brand, store group, store
// and payment account, as the onboard operation would.
func (s *Sim) SeedPartner(p PartnerSpec) (*klarna.OnboardResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.st.Accounts) + 1
	if p.Reference == "" {
		p.Reference = fmt.Sprintf("SIM-MERCH-%06d", n)
	}
	if p.Name == "" {
		p.Name = fmt.Sprintf("Demo Merchant %d", n)
	}
	if p.Email == "" {
		p.Email = fmt.Sprintf("owner%d@merchant%d.example", n, n)
	}
	if p.Country == "" {
		p.Country = "SE"
	}
	if p.Currency == "" {
		p.Currency = "SEK"
	}
	if p.Website == "" {
		p.Website = fmt.Sprintf("https://shop%d.example", n)
	}
	if p.LogoURL == "" {
		p.LogoURL = p.Website + "/logo.png"
	}
	var acq string
	for _, a := range s.st.Catalogue.Acquiring {
		if a.SettlementCurrency == p.Currency {
			acq = a.PaymentAcquiringAccountID
		}
	}
	if acq == "" {
		return nil, fmt.Errorf("no acquiring account settles in %s", p.Currency)
	}
	ref := p.Reference
	req := klarna.OnboardRequest{
		PartnerAccountReference: ref, PartnerAccountName: p.Name,
		PartnerAccountContact:   &klarna.Contact{GivenName: "Alex", FamilyName: "Demo", Email: p.Email},
		PartnerBusinessEntities: []klarna.BusinessEntity{{PartnerBusinessEntityReference: ref + "-LE", LegalRegisteredEntityName: p.Name + " Ltd", LegalRegistrationCountry: p.Country}},
		Brands:                  []klarna.Brand{{BrandReference: ref + "-BR", DisplayName: p.Name, Element: &klarna.BrandElement{LogoURL: p.LogoURL}}},
		StoreGroups: []klarna.StoreGroup{{StoreGroupReference: ref + "-SG", BrandReference: ref + "-BR",
			SupportContact: &klarna.SupportContact{Email: "support@" + strings.TrimPrefix(strings.TrimPrefix(p.Website, "https://"), "http://")},
			Stores:         []klarna.Store{{StoreReference: ref + "-ST", Type: "WEBSITE", URL: p.Website}}}},
		Products: []klarna.PaymentProduct{{Type: "PAYMENT", PaymentProfileID: s.st.Catalogue.Profiles[0].PaymentProfileID,
			PaymentAccounts: []klarna.PaymentAccount{{PaymentAccountReference: ref + "-PA-" + p.Currency, PaymentAcquiringAccountID: acq,
				PartnerBusinessEntityReference: ref + "-LE", DefaultMerchantCategoryCode: "5999", DefaultStoreGroupReference: ref + "-SG"}}}},
	}
	if ve := validateOnboard(&req); len(ve) > 0 {
		return nil, fmt.Errorf("invalid partner: %s %s", ve[0].Parameter, ve[0].Reason)
	}
	a, rp := s.onboardLocked(&req)
	if rp != nil {
		return nil, fmt.Errorf("onboard failed: %s", rp.body)
	}
	switch {
	case p.HoldPartial:
		a.Hold = true
	case p.OperationalAfterSeconds > 0 && !p.Operational:
		a.OperationalAt = s.clock.Now().Add(time.Duration(p.OperationalAfterSeconds) * time.Second)
		s.sched.add(a.OperationalAt, "account", a.A.PartnerAccountID)
	}
	if p.Operational && !p.HoldPartial && a.A.State == klarna.AccountPartiallyOperational {
		a.OperationalAt = s.clock.Now()
		a.A.State = klarna.AccountOperational
		s.emitLocked(klarna.EventAccountOperational, a.A.PartnerAccountID, "", "", klarna.AccountEventPayload{
			PartnerAccountID: a.A.PartnerAccountID, PartnerAccountReference: ref, State: string(klarna.AccountOperational), PreviousState: string(klarna.AccountPartiallyOperational)})
	}
	if p.Disabled {
		a.A.State = klarna.AccountDisabled
		if a.Product != nil {
			s.setProductStatusLocked(a, klarna.ProductDisabled)
		}
	}
	out := onboardResponse(a)
	return &out, nil
}

// SetAccountState changes an account's state as Klarna support would.
func (s *Sim) SetAccountState(id string, to klarna.PartnerAccountState) error {
	if to != klarna.AccountOperational && to != klarna.AccountDisabled {
		return errors.New("state must be OPERATIONAL or DISABLED")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.Accounts[id]
	if a == nil {
		return errNotFound
	}
	prev := a.A.State
	a.A.State, a.Hold = to, false
	if to == klarna.AccountDisabled && a.Product != nil {
		s.setProductStatusLocked(a, klarna.ProductDisabled)
	}
	if to == klarna.AccountOperational && prev != to {
		s.emitLocked(klarna.EventAccountOperational, id, "", "", klarna.AccountEventPayload{PartnerAccountID: id, PartnerAccountReference: a.A.PartnerAccountReference, State: string(to), PreviousState: string(prev)})
	}
	return nil
}

// SetProductStatus changes the payment product as Klarna would (including
// TERMINATED, for which the event name is UNCONFIRMED and none is sent).
func (s *Sim) SetProductStatus(id string, to klarna.PaymentProductStatus) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.Accounts[id]
	if a == nil || a.Product == nil {
		return errNotFound
	}
	prev := a.Product.Status
	switch to {
	case klarna.ProductEnabled, klarna.ProductDisabled, klarna.ProductTerminated:
	default:
		return errors.New("status must be ENABLED, DISABLED or TERMINATED")
	}
	s.setProductStatusLocked(a, to)
	ev := map[klarna.PaymentProductStatus]string{klarna.ProductEnabled: klarna.EventProductEnabled, klarna.ProductDisabled: klarna.EventProductDisabled}[to]
	if ev != "" && prev != to {
		s.emitLocked(ev, id, a.Product.PaymentProductID, "", klarna.AccountEventPayload{PartnerAccountID: id, PaymentProductID: a.Product.PaymentProductID, Status: string(to), PreviousStatus: string(prev)})
	}
	return nil
}
