package klarnasim

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
)

// Payment request flows (README §7.5: payment.request.state-change.*). The
// simulator makes each payment along one of them, its states seconds to
// minutes apart, and sends one signed webhook per state. Names as the
// control API takes them.
const (
	// FlowHosted: SUBMITTED → IN_PROGRESS → AUTHORIZED (hosted checkout).
	FlowHosted = "hosted"
	// FlowHostedPrepared: SUBMITTED → PREPARED → IN_PROGRESS →
	// PENDING_CONFIRMATION → AUTHORIZED (hosted checkout, prepared first).
	FlowHostedPrepared = "hosted_prepared"
	// FlowServerSide: SUBMITTED → IN_PROGRESS → COMPLETED with a Klarna
	// Network session token.
	FlowServerSide = "server_side"
	// FlowRecurring: a hosted RECURRING payment, SUBMITTED → IN_PROGRESS →
	// COMPLETED with a customer token.
	FlowRecurring = "recurring"
	// FlowRecurringServerSide: the same on the server-side path.
	FlowRecurringServerSide = "recurring_server_side"
	// FlowDeclined: SUBMITTED → IN_PROGRESS → DECLINED (CUSTOMER_DECLINED or RISK_DECLINED).
	FlowDeclined = "declined"
	// FlowExpired: SUBMITTED → (IN_PROGRESS →) EXPIRED at expires_at.
	FlowExpired = "expired"
	// FlowCanceled: SUBMITTED → CANCELED (PARTNER_CANCELED).
	FlowCanceled = "canceled"
)

// PaymentFlows are the flows CreatePayment knows.
var PaymentFlows = []string{FlowHosted, FlowHostedPrepared, FlowServerSide, FlowRecurring, FlowRecurringServerSide, FlowDeclined, FlowExpired, FlowCanceled}

// Interoperability sources: the Klarna feature a customer came from.
var interopSources = []string{"EXPRESS_CHECKOUT", "SIGN_IN_WITH_KLARNA", "ON_SITE_MESSAGING"}

const (
	// interopShare of payments came from another Klarna feature.
	interopShare = 0.3
	// defaultInteropMissRate of those arrived without the token.
	defaultInteropMissRate = 0.06
	// neverCapturedRate of authorized payments the traffic and the history
	// never capture (Partner Desk's "authorized but never settled").
	neverCapturedRate = 0.03
	// maxPaymentsPerPartner bounds the state: beyond it the oldest go.
	maxPaymentsPerPartner = 20000
	// disputeScan is how many of a partner's latest captures a new
	// dispute looks through for its payment.
	disputeScan = 256
)

// PaymentHabits shape the payments the simulator makes for one partner
// (SetPaymentHabits), so demo partners differ.
type PaymentHabits struct {
	// InteropMissRate is the share of payments that came from another
	// Klarna feature (express checkout, sign in with Klarna, on-site
	// messaging) without the interoperability token. Default 0.06.
	InteropMissRate float64 `json:"interop_miss_rate"`
}

type paymentState struct {
	State    string
	Previous string `json:",omitempty"`
	Reason   string `json:",omitempty"`
	At       time.Time
	// Sent: the state's webhook went out (EmitPaymentHistory sends the rest).
	Sent bool `json:",omitempty"`
}

// paymentRec is a payment request and what became of it.
type paymentRec struct {
	ID                      string // krn:payment:eu1:request:{uuid}
	Reference               string // pr-…
	Partner                 string
	PurchaseReference       string
	Amount                  int64
	Currency                string
	PaymentAccountID        string
	PaymentAccountReference string
	Flow                    string
	IntegrationPath         string
	PaymentType             string
	InteropSource           string `json:",omitempty"`
	InteropToken            bool   `json:",omitempty"`
	// Set once authorized or completed.
	OrderID              string `json:",omitempty"`
	TransactionID        string `json:",omitempty"`
	TransactionReference string `json:",omitempty"`
	SessionToken         string `json:",omitempty"`
	CustomerToken        string `json:",omitempty"`
	Created              time.Time
	ExpiresAt            time.Time
	States               []paymentState
	// Set once captured (a SALE and a FEE line in the ledger).
	CaptureID  string    `json:",omitempty"`
	CapturedAt time.Time `json:",omitzero"`
}

func (p *paymentRec) state() string { return p.States[len(p.States)-1].State }

func (p *paymentRec) authorized() bool {
	st := p.state()
	return st == klarna.PaymentAuthorized || st == klarna.PaymentCompleted
}

// authorizedAt is when the payment was authorized (or completed).
func (p *paymentRec) authorizedAt() time.Time {
	for _, s := range p.States {
		if s.State == klarna.PaymentAuthorized || s.State == klarna.PaymentCompleted {
			return s.At
		}
	}
	return time.Time{}
}

// payload is the webhook payload of the payment's i-th state.
func (p *paymentRec) payload(i int) klarna.PaymentRequestEventPayload {
	st := p.States[i]
	out := klarna.PaymentRequestEventPayload{
		PaymentRequestID: p.ID, PaymentRequestReference: p.Reference, State: st.State, PreviousState: st.Previous, StateReason: st.Reason,
		CreatedAt: klarna.At(p.Created), UpdatedAt: klarna.At(st.At), Amount: i64(p.Amount), Currency: p.Currency,
		PaymentAccountID: p.PaymentAccountID, PaymentAccountReference: p.PaymentAccountReference, PurchaseReference: p.PurchaseReference,
		RequestContext: &klarna.PaymentRequestContext{IntegrationPath: p.IntegrationPath, PaymentType: p.PaymentType,
			InteroperabilitySource: p.InteropSource, InteroperabilityToken: p.InteropToken},
	}
	switch st.State {
	case klarna.PaymentAuthorized, klarna.PaymentCompleted:
		out.StateContext = &klarna.PaymentRequestStateContext{PaymentTransactionID: p.TransactionID, PaymentTransactionReference: p.TransactionReference,
			OrderID: p.OrderID, KlarnaNetworkSessionToken: p.SessionToken, CustomerToken: p.CustomerToken}
	case klarna.PaymentDeclined, klarna.PaymentCanceled:
	default: // still open, or expired: the request's expiry applies
		out.ExpiresAt = klarna.At(p.ExpiresAt)
	}
	return out
}

// paymentIndex finds payments by partner, by order and by capture time.
type paymentIndex struct {
	byPartner map[string][]*paymentRec // by creation time
	captured  map[string][]*paymentRec // captured ones, by capture time
	byOrder   map[string]*paymentRec
}

func (ix *paymentIndex) init() {
	ix.byPartner = map[string][]*paymentRec{}
	ix.captured = map[string][]*paymentRec{}
	ix.byOrder = map[string]*paymentRec{}
}

func (ix *paymentIndex) rebuild(all map[string]*paymentRec) {
	ix.init()
	for _, id := range sortedKeys(all) {
		p := all[id]
		ix.byPartner[p.Partner] = append(ix.byPartner[p.Partner], p)
		if p.OrderID != "" {
			ix.byOrder[p.OrderID] = p
		}
		if !p.CapturedAt.IsZero() {
			ix.captured[p.Partner] = append(ix.captured[p.Partner], p)
		}
	}
	for _, l := range ix.byPartner {
		sort.SliceStable(l, func(i, j int) bool { return l[i].Created.Before(l[j].Created) })
	}
	for _, l := range ix.captured {
		sort.SliceStable(l, func(i, j int) bool { return l[i].CapturedAt.Before(l[j].CapturedAt) })
	}
}

func (ix *paymentIndex) add(p *paymentRec) {
	ix.byPartner[p.Partner] = insertBy(ix.byPartner[p.Partner], p, func(q *paymentRec) time.Time { return q.Created })
	if p.OrderID != "" {
		ix.byOrder[p.OrderID] = p
	}
}

// addCaptured keeps the partner's captures ordered by capture time.
func (ix *paymentIndex) addCaptured(p *paymentRec) {
	ix.captured[p.Partner] = insertBy(ix.captured[p.Partner], p, func(q *paymentRec) time.Time { return q.CapturedAt })
}

// insertBy inserts p into l, ordered by key, after those of the same key.
func insertBy(l []*paymentRec, p *paymentRec, key func(*paymentRec) time.Time) []*paymentRec {
	k := key(p)
	i := sort.Search(len(l), func(i int) bool { return key(l[i]).After(k) })
	l = append(l, nil)
	copy(l[i+1:], l[i:])
	l[i] = p
	return l
}

// disputable picks a captured payment of the partner in currency, of at
// least amount, captured by at and not disputed yet; nil when none of its
// latest captures fits.
func (ix *paymentIndex) disputable(partner, currency string, amount int64, at time.Time, disputes *disputeIndex, r *rand.Rand) *paymentRec {
	l := ix.captured[partner]
	end := sort.Search(len(l), func(i int) bool { return l[i].CapturedAt.After(at) })
	var fit []*paymentRec
	for i := end - 1; i >= 0 && end-i <= disputeScan; i-- {
		p := l[i]
		if p.Currency == currency && p.Amount >= amount && len(disputes.byRef["o:"+p.OrderID]) == 0 {
			fit = append(fit, p)
		}
	}
	if len(fit) == 0 {
		return nil
	}
	return fit[r.IntN(len(fit))]
}

func newRand() *rand.Rand { return rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())) }

func secs(r *rand.Rand, lo, hi int) time.Duration {
	return time.Duration(lo+r.IntN(hi-lo+1)) * time.Second
}

type flowStep struct {
	state, reason string
	gap           time.Duration // after the previous state
}

// flowSteps lays out a flow: its integration path, payment type and states.
func flowSteps(flow string, r *rand.Rand) (path, ptype string, steps []flowStep, err error) {
	path, ptype = klarna.IntegrationHosted, klarna.PaymentOneTime
	sub := flowStep{state: klarna.PaymentSubmitted}
	otherPath := func() {
		if r.IntN(10) < 3 {
			path = klarna.IntegrationServerSide
		}
	}
	switch flow {
	case FlowHosted:
		steps = []flowStep{sub, {state: klarna.PaymentInProgress, gap: secs(r, 5, 90)}, {state: klarna.PaymentAuthorized, gap: secs(r, 20, 300)}}
	case FlowHostedPrepared:
		steps = []flowStep{sub, {state: klarna.PaymentPrepared, gap: secs(r, 2, 20)}, {state: klarna.PaymentInProgress, gap: secs(r, 5, 120)},
			{state: klarna.PaymentPendingConfirmation, gap: secs(r, 30, 240)}, {state: klarna.PaymentAuthorized, gap: secs(r, 2, 40)}}
	case FlowServerSide, FlowRecurringServerSide:
		path = klarna.IntegrationServerSide
		steps = []flowStep{sub, {state: klarna.PaymentInProgress, gap: secs(r, 3, 30)}, {state: klarna.PaymentCompleted, gap: secs(r, 10, 180)}}
	case FlowRecurring:
		steps = []flowStep{sub, {state: klarna.PaymentInProgress, gap: secs(r, 5, 90)}, {state: klarna.PaymentCompleted, gap: secs(r, 20, 300)}}
	case FlowDeclined:
		otherPath()
		reason := "RISK_DECLINED"
		if r.IntN(5) < 2 {
			reason = "CUSTOMER_DECLINED"
		}
		steps = []flowStep{sub, {state: klarna.PaymentInProgress, gap: secs(r, 5, 90)}, {state: klarna.PaymentDeclined, reason: reason, gap: secs(r, 10, 180)}}
	case FlowExpired:
		otherPath()
		steps = []flowStep{sub}
		left := paymentRequestTTL
		if r.IntN(2) == 0 {
			g := secs(r, 10, 300)
			steps = append(steps, flowStep{state: klarna.PaymentInProgress, gap: g})
			left -= g
		}
		steps = append(steps, flowStep{state: klarna.PaymentExpired, gap: left})
	case FlowCanceled:
		otherPath()
		steps = []flowStep{sub, {state: klarna.PaymentCanceled, reason: "PARTNER_CANCELED", gap: secs(r, 30, 900)}}
	default:
		return "", "", nil, fmt.Errorf("unknown flow %q (one of %s)", flow, strings.Join(PaymentFlows, ", "))
	}
	if flow == FlowRecurring || flow == FlowRecurringServerSide {
		ptype = klarna.PaymentRecurring
	}
	return path, ptype, steps, nil
}

// pickFlow draws a flow from the traffic's mix: mostly authorized (some
// server-side, some recurring), ~8 % declined, ~5 % expired, ~3 % canceled.
func pickFlow(r *rand.Rand) string {
	if r.IntN(100) < 16 {
		return pickFailedFlow(r)
	}
	return pickAuthorizedFlow(r)
}

// pickFailedFlow draws one of the flows that end in no payment, declined
// most often, then expired, then canceled (8:5:3).
func pickFailedFlow(r *rand.Rand) string {
	switch n := r.IntN(16); {
	case n < 8:
		return FlowDeclined
	case n < 13:
		return FlowExpired
	default:
		return FlowCanceled
	}
}

// pickAuthorizedFlow draws one of the flows that end authorized or completed.
func pickAuthorizedFlow(r *rand.Rand) string {
	switch n := r.IntN(100); {
	case n < 45:
		return FlowHosted
	case n < 60:
		return FlowHostedPrepared
	case n < 85:
		return FlowServerSide
	case n < 95:
		return FlowRecurring
	default:
		return FlowRecurringServerSide
	}
}

func endsAuthorized(flow string) bool {
	switch flow {
	case FlowHosted, FlowHostedPrepared, FlowServerSide, FlowRecurring, FlowRecurringServerSide:
		return true
	}
	return false
}

func randomAmount(r *rand.Rand, flow string) int64 {
	if flow == FlowRecurring || flow == FlowRecurringServerSide {
		return int64(990 + r.IntN(29000))
	}
	return int64(1000 + r.IntN(250000))
}

func (s *Sim) habits(a *account) PaymentHabits {
	if a.PaymentHabits != nil {
		return *a.PaymentHabits
	}
	return PaymentHabits{InteropMissRate: defaultInteropMissRate}
}

// paymentOpts are the choices newPaymentLocked leaves to chance unless set.
type paymentOpts struct {
	amount            int64
	currency          string
	purchaseReference string
	interopSource     string // "" = by chance
	noInterop         bool   // from no other Klarna feature
	interopMissing    bool
	hold              bool // make it without sending its webhooks
}

// newPaymentLocked makes a payment of the partner along flow whose last
// state is at decided, records it and sends its webhooks (when a
// subscription wants them; EmitPaymentHistory sends the rest later).
func (s *Sim) newPaymentLocked(a *account, flow string, decided time.Time, o paymentOpts, r *rand.Rand) (*paymentRec, error) {
	if a.Product == nil || len(a.Product.PaymentAccounts) == 0 {
		return nil, errors.New("the partner has no payment account")
	}
	path, ptype, steps, err := flowSteps(flow, r)
	if err != nil {
		return nil, err
	}
	var total time.Duration
	for _, st := range steps {
		total += st.gap
	}
	created := decided.UTC().Add(-total).Truncate(time.Second)
	pa := a.Product.PaymentAccounts[r.IntN(len(a.Product.PaymentAccounts))]
	p := &paymentRec{
		ID: "krn:payment:eu1:request:" + uuidv4(), Reference: "pr-" + strings.ToLower(randAlnum(12)), Partner: a.A.PartnerAccountID,
		PurchaseReference: o.purchaseReference, Amount: o.amount, Currency: o.currency,
		PaymentAccountID: pa.PaymentAccountID, PaymentAccountReference: pa.PaymentAccountReference,
		Flow: flow, IntegrationPath: path, PaymentType: ptype, Created: created, ExpiresAt: created.Add(paymentRequestTTL),
	}
	if p.PurchaseReference == "" {
		p.PurchaseReference = fmt.Sprintf("ORD-%d", 1000000+r.IntN(9000000))
	}
	if p.Amount <= 0 {
		p.Amount = randomAmount(r, flow)
	}
	if p.Currency == "" {
		p.Currency = a.Currency
	}
	switch {
	case o.noInterop:
	case o.interopSource != "":
		p.InteropSource, p.InteropToken = strings.ToUpper(o.interopSource), !o.interopMissing
	case r.Float64() < interopShare:
		p.InteropSource = interopSources[r.IntN(len(interopSources))]
		p.InteropToken = r.Float64() >= s.habits(a).InteropMissRate
	}
	at, prev := created, ""
	for _, st := range steps {
		at = at.Add(st.gap)
		p.States = append(p.States, paymentState{State: st.state, Previous: prev, Reason: st.reason, At: at})
		prev = st.state
	}
	if p.authorized() {
		order := uuidv4()
		p.OrderID, p.TransactionID, p.TransactionReference = order, "krn:payment:eu1:authorization:"+order, "pay-"+order[:8]
		if path == klarna.IntegrationServerSide {
			p.SessionToken = "krn:network:eu1:session-token:" + uuidv4()
		}
		if ptype == klarna.PaymentRecurring {
			p.CustomerToken = "krn:payment:eu1:customer-token:" + uuidv4()
		}
	}
	s.st.Payments[p.ID] = p
	s.st.paymentIdx.add(p)
	s.prunePaymentsLocked(p.Partner)
	if !o.hold {
		s.emitPaymentLocked(a, p, false)
	}
	return p, nil
}

// prunePaymentsLocked drops a partner's oldest payments beyond the bound.
func (s *Sim) prunePaymentsLocked(partner string) {
	l := s.st.paymentIdx.byPartner[partner]
	if len(l) <= maxPaymentsPerPartner {
		return
	}
	for _, p := range l[:len(l)-maxPaymentsPerPartner*9/10] {
		delete(s.st.Payments, p.ID)
	}
	s.st.paymentIdx.rebuild(s.st.Payments)
}

// emitPaymentLocked sends the webhook of each state not sent yet, in order
// (reverse: latest first), to the subscriptions that want it.
func (s *Sim) emitPaymentLocked(a *account, p *paymentRec, reverse bool) int {
	n := 0
	for k := range p.States {
		i := k
		if reverse {
			i = len(p.States) - 1 - k
		}
		if s.emitPaymentStateLocked(a, p, i) {
			n++
		}
	}
	return n
}

// emitPaymentStateLocked sends one state's webhook unless it went out
// already or no subscription wants it (then it stays for EmitPaymentHistory).
func (s *Sim) emitPaymentStateLocked(a *account, p *paymentRec, i int) bool {
	st := &p.States[i]
	if st.Sent {
		return false
	}
	eventType := klarna.PaymentEventType(st.State)
	targets := s.targetsLocked(eventType)
	if len(targets) == 0 {
		return false
	}
	product := ""
	if a.Product != nil {
		product = a.Product.PaymentProductID
	}
	s.emitToLocked(eventType, p.Partner, product, a.MerchantID, p.payload(i), targets, false, st.At)
	st.Sent = true
	return true
}

// captureLocked captures the payment in full at at: its SALE and FEE lines.
func (s *Sim) captureLocked(a *account, p *paymentRec, at time.Time) error {
	if !p.authorized() {
		return fmt.Errorf("payment %s is %s; only an authorized or completed payment can be captured", p.ID, p.state())
	}
	if p.CaptureID != "" {
		return fmt.Errorf("payment %s is captured already", p.ID)
	}
	if auth := p.authorizedAt(); at.Before(auth) {
		at = auth.Add(time.Minute)
	}
	p.CaptureID = s.st.Ledger.capture(a, p, at)
	p.CapturedAt = at
	s.st.paymentIdx.addCaptured(p)
	return nil
}

// paymentForDisputeLocked is the payment a new dispute of the partner is
// about: one of its captured payments not disputed yet when one fits;
// otherwise (unless silent) a new one, authorized a few days before the
// dispute and captured, so its timeline is complete.
func (s *Sim) paymentForDisputeLocked(a *account, currency string, amount int64, created time.Time, silent bool, fallbackAmount int64) *paymentRec {
	r := newRand()
	if p := s.st.paymentIdx.disputable(a.A.PartnerAccountID, currency, amount, created, &s.st.disputeIdx, r); p != nil {
		return p
	}
	if silent {
		return nil
	}
	if amount <= 0 {
		amount = fallbackAmount
	}
	flow := FlowHosted
	if r.IntN(3) == 0 {
		flow = FlowServerSide
	}
	decided := created.Add(-48*time.Hour - secs(r, 0, 72*3600))
	p, err := s.newPaymentLocked(a, flow, decided, paymentOpts{amount: amount, currency: currency}, r)
	if err != nil {
		return nil
	}
	if err := s.captureLocked(a, p, decided.Add(time.Hour+secs(r, 0, 20*3600))); err != nil {
		return nil
	}
	return p
}

// ---- public API ----

// PaymentSpec describes one payment to make (control API, tests, demo).
type PaymentSpec struct {
	PartnerAccountID string `json:"partner_account_id"`
	// Flow is one of PaymentFlows (default hosted).
	Flow string `json:"flow"`
	// Amount in minor units (default random).
	Amount int64 `json:"amount"`
	// PurchaseReference (default a random ORD-…).
	PurchaseReference string `json:"purchase_reference"`
	// Capture captures the payment in full (SALE and FEE lines); only for
	// flows that end AUTHORIZED or COMPLETED.
	Capture bool `json:"capture"`
	// OutOfOrder sends the state webhooks latest first.
	OutOfOrder bool `json:"out_of_order"`
	// At is when the payment reached its last state (default now); its
	// other states come seconds to minutes before. A capture follows an
	// hour later (or now, whichever is earlier).
	At time.Time `json:"at"`
	// InteroperabilitySource (EXPRESS_CHECKOUT, SIGN_IN_WITH_KLARNA,
	// ON_SITE_MESSAGING; "NONE" for none; default by chance) and whether
	// its token was missing from the request.
	InteroperabilitySource       string `json:"interoperability_source"`
	InteroperabilityTokenMissing bool   `json:"interoperability_token_missing"`
}

// PaymentInfo is a payment as the control API reports it.
type PaymentInfo struct {
	PaymentRequestID        string   `json:"payment_request_id"`
	PaymentRequestReference string   `json:"payment_request_reference"`
	PartnerAccountID        string   `json:"partner_account_id"`
	PurchaseReference       string   `json:"purchase_reference"`
	Flow                    string   `json:"flow"`
	State                   string   `json:"state"`
	States                  []string `json:"states"`
	Amount                  int64    `json:"amount"`
	Currency                string   `json:"currency"`
	IntegrationPath         string   `json:"integration_path"`
	PaymentType             string   `json:"payment_type"`
	InteroperabilitySource  string   `json:"interoperability_source,omitempty"`
	InteroperabilityToken   bool     `json:"interoperability_token_received"`
	OrderID                 string   `json:"order_id,omitempty"`
	PaymentTransactionID    string   `json:"payment_transaction_id,omitempty"`
	Captured                bool     `json:"captured"`
	// Sent is how many of its state webhooks went out.
	Sent int `json:"webhooks_sent"`
}

func (p *paymentRec) info() PaymentInfo {
	out := PaymentInfo{PaymentRequestID: p.ID, PaymentRequestReference: p.Reference, PartnerAccountID: p.Partner, PurchaseReference: p.PurchaseReference,
		Flow: p.Flow, State: p.state(), Amount: p.Amount, Currency: p.Currency, IntegrationPath: p.IntegrationPath, PaymentType: p.PaymentType,
		InteroperabilitySource: p.InteropSource, InteroperabilityToken: p.InteropToken,
		OrderID: p.OrderID, PaymentTransactionID: p.TransactionID, Captured: p.CaptureID != ""}
	for _, st := range p.States {
		out.States = append(out.States, st.State)
		if st.Sent {
			out.Sent++
		}
	}
	return out
}

// CreatePayment makes one payment along a flow and sends its webhooks to
// the subscriptions that want them (in reverse with OutOfOrder).
func (s *Sim) CreatePayment(spec PaymentSpec) (PaymentInfo, error) {
	flow := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(spec.Flow), "-", "_"))
	if flow == "" {
		flow = FlowHosted
	}
	if !slices.Contains(PaymentFlows, flow) {
		return PaymentInfo{}, fmt.Errorf("unknown flow %q (one of %s)", spec.Flow, strings.Join(PaymentFlows, ", "))
	}
	if spec.Amount < 0 {
		return PaymentInfo{}, errors.New("amount must be positive")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.Accounts[spec.PartnerAccountID]
	if a == nil || a.Currency == "" {
		return PaymentInfo{}, errNotFound
	}
	if spec.Capture && !endsAuthorized(flow) {
		return PaymentInfo{}, fmt.Errorf("a %s payment cannot be captured", flow)
	}
	now := s.clock.Now()
	at := now
	if !spec.At.IsZero() {
		if spec.At.After(now) {
			return PaymentInfo{}, errors.New("at must not be in the future")
		}
		at = spec.At.UTC()
	}
	o := paymentOpts{amount: spec.Amount, purchaseReference: spec.PurchaseReference, interopSource: spec.InteroperabilitySource, interopMissing: spec.InteroperabilityTokenMissing}
	if strings.EqualFold(o.interopSource, "NONE") {
		o.interopSource, o.noInterop = "", true
	}
	// Made without sending, then sent (latest first when out of order).
	o.hold = true
	p, err := s.newPaymentLocked(a, flow, at, o, newRand())
	if err != nil {
		return PaymentInfo{}, err
	}
	s.emitPaymentLocked(a, p, spec.OutOfOrder)
	if spec.Capture {
		capAt := p.authorizedAt().Add(time.Hour)
		if capAt.After(now) {
			capAt = now
		}
		if err := s.captureLocked(a, p, capAt); err != nil {
			return PaymentInfo{}, err
		}
	}
	return p.info(), nil
}

// Payments lists a partner's payments, oldest first.
func (s *Sim) Payments(partnerID string) []PaymentInfo {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []PaymentInfo
	for _, p := range s.st.paymentIdx.byPartner[partnerID] {
		out = append(out, p.info())
	}
	return out
}

// SetPaymentHabits sets how the payments the simulator makes for a partner
// behave from now on (the demo makes one partner's integration worse).
func (s *Sim) SetPaymentHabits(partnerID string, h PaymentHabits) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.Accounts[partnerID]
	if a == nil {
		return errNotFound
	}
	a.PaymentHabits = &h
	return nil
}

// EmitPaymentHistory sends the webhooks of every state of the partner's
// payments that has not gone out yet (those made before a subscription
// wanted them, e.g. the seeded history), oldest first, and marks them
// sent. It returns how many went out; states no subscription wants stay.
func (s *Sim) EmitPaymentHistory(partnerID string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.Accounts[partnerID]
	if a == nil {
		return 0, errNotFound
	}
	type due struct {
		p *paymentRec
		i int
	}
	var list []due
	for _, p := range s.st.paymentIdx.byPartner[partnerID] {
		for i, st := range p.States {
			if !st.Sent {
				list = append(list, due{p, i})
			}
		}
	}
	sort.SliceStable(list, func(x, y int) bool { return list[x].p.States[list[x].i].At.Before(list[y].p.States[list[y].i].At) })
	n := 0
	for _, d := range list {
		if s.emitPaymentStateLocked(a, d.p, d.i) {
			n++
		}
	}
	return n, nil
}
