package klarnasim

import (
	"sort"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
)

// state is everything the simulator knows. Fields are exported for the
// JSON snapshot; the index fields are rebuilt after loading.
type state struct {
	APIKeys   map[string]*apiKeyRec // by secret
	ClientIDs map[string]*klarna.ClientIdentifier
	Certs     map[string]*certRec
	// Owners maps a credential id (API key, client identifier, certificate)
	// to the partner account it belongs to; absent: the acquirer's own.
	Owners      map[string]string
	SigningKeys map[string]*klarna.SigningKey // includes the secret
	Webhooks    map[string]*klarna.Webhook
	Accounts    map[string]*account
	Catalogue   catalogue
	Disputes    map[string]*dispute
	DisputeSeq  int64
	Ledger      ledger
	Payments    map[string]*paymentRec // by payment_request_id
	Events      []eventRec
	DeepLinks   map[string]*deepLink
	UsedJTIs    map[string]time.Time

	// indexes
	accountByRef map[string]string
	payAcctByRef map[string]string // acquiring id + "\x00" + reference → payment account id
	disputeIdx   disputeIndex
	paymentIdx   paymentIndex
}

type apiKeyRec struct {
	ID          string
	Secret      string
	Description string
	Status      string
	Created     time.Time
	// LastUsed is the last request authenticated with the key (zero: never).
	LastUsed time.Time `json:",omitzero"`
	// AutoDisabled: Klarna disabled it for being unused (README §2.1).
	AutoDisabled bool `json:",omitempty"`
}

type certRec struct {
	C           klarna.ClientCertificate
	DER         []byte
	Fingerprint string
}

type catalogue struct {
	Profiles  []klarna.PaymentProfile
	Acquiring []klarna.AcquiringAccount
}

// account is a partner account and everything under it.
type account struct {
	A           klarna.PartnerAccount
	MerchantID  string
	Currency    string
	Entities    []*klarna.BusinessEntity
	Brands      []*klarna.Brand
	StoreGroups []*klarna.StoreGroup
	Stores      []*klarna.Store
	Product     *klarna.PaymentProduct
	// Canon keeps the canonical JSON of each onboarded resource by
	// "kind:reference" for the incremental-onboarding identity rule.
	Canon         map[string]string
	OperationalAt time.Time
	Created       time.Time
	// Hold keeps the account PARTIALLY_OPERATIONAL past OperationalAt
	// until Klarna support acts (SetAccountState): a stuck onboarding.
	Hold bool `json:",omitempty"`
	// PaymentHabits shape the partner's simulated payments (nil: defaults).
	PaymentHabits *PaymentHabits `json:",omitempty"`
}

type eventRec struct {
	EventID   string    `json:"event_id"`
	EventType string    `json:"event_type"`
	Subject   string    `json:"subject_account_id"`
	At        time.Time `json:"occurred_at"`
	Body      []byte    `json:"-"`
}

type deepLink struct {
	Token     string
	AccountID string
	Subject   string
	Roles     []string
	AMR       []string
	Expires   time.Time
	Used      bool
}

func newState() *state {
	st := &state{
		APIKeys:     map[string]*apiKeyRec{},
		ClientIDs:   map[string]*klarna.ClientIdentifier{},
		Certs:       map[string]*certRec{},
		Owners:      map[string]string{},
		SigningKeys: map[string]*klarna.SigningKey{},
		Webhooks:    map[string]*klarna.Webhook{},
		Accounts:    map[string]*account{},
		Disputes:    map[string]*dispute{},
		Payments:    map[string]*paymentRec{},
		DeepLinks:   map[string]*deepLink{},
		UsedJTIs:    map[string]time.Time{},
		DisputeSeq:  884300000,
	}
	st.Ledger.init()
	st.reindex()
	return st
}

func (st *state) reindex() {
	st.accountByRef = map[string]string{}
	st.payAcctByRef = map[string]string{}
	for id, a := range st.Accounts {
		st.accountByRef[a.A.PartnerAccountReference] = id
		if a.Product != nil {
			for _, pa := range a.Product.PaymentAccounts {
				st.payAcctByRef[pa.PaymentAcquiringAccountID+"\x00"+pa.PaymentAccountReference] = pa.PaymentAccountID
			}
		}
	}
	st.disputeIdx = disputeIndex{byPartner: map[string][]*dispute{}, stateCount: map[string]int{}}
	for _, d := range st.Disputes {
		st.disputeIdx.add(d)
	}
	st.Ledger.reindex()
	st.paymentIdx.rebuild(st.Payments)
}

func sortedKeys[M ~map[string]V, V any](m M) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
