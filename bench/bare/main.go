// Command bare is the baseline of the list measures of `make bench`: a bare
// Gin + pgx handler that runs exactly the SQL the product's store runs and
// writes the rows as JSON (scanned by position into one flat struct), with
// no authentication, authorization, counts or DTOs.
//
//	bare -addr 127.0.0.1:8099 -dsn postgres://…
//
// GET /queue is the dispute queue's first page (postgres.DisputeFirstPageSQL)
// and takes the queue's view, partner, state, reason and currency
// parameters. GET /lines?payout=REF is the first page of a payout's lines
// (postgres.PayoutLinesFirstPageSQL); GET /search?q=ID the settlement line
// search (postgres.LineSearchSQL); GET /partners?q=NAME the directory
// (postgres.DirectoryListSQL); GET /payments a page of the payments list
// (postgres.PaymentListSQL), with the list's partner, state, currency, path,
// q and cursor parameters.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"log"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/partnerdesk/partnerdesk/internal/dispute"
	"github.com/partnerdesk/partnerdesk/internal/partner"
	"github.com/partnerdesk/partnerdesk/internal/payment"
	"github.com/partnerdesk/partnerdesk/internal/postgres"
	"github.com/partnerdesk/partnerdesk/internal/scope"
	"github.com/partnerdesk/partnerdesk/internal/settlement"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8099", "listen address")
	dsn := flag.String("dsn", "", "PostgreSQL connection string")
	conns := flag.Int("conns", 30, "pool size (as serve's default PARTNERDESK_DB_MAX_CONNS)")
	flag.Parse()
	cfg, err := pgxpool.ParseConfig(*dsn)
	if err != nil {
		log.Fatal(err)
	}
	cfg.MaxConns = int32(*conns)
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/readyz", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	r.GET("/queue", func(c *gin.Context) {
		q := c.Request.URL.Query()
		f := dispute.Filter{View: c.DefaultQuery("view", "needs_action"), States: q["state"], Reasons: q["reason"], Currencies: q["currency"], Now: time.Now()}
		for _, v := range q["partner"] {
			id, err := uuid.Parse(v)
			if err != nil {
				c.String(http.StatusBadRequest, "partner")
				return
			}
			f.Tenants = append(f.Tenants, id)
		}
		rowsJSON[disputeRow](c, pool)(postgres.DisputeFirstPageSQL(scope.All(), f, 50))
	})
	r.GET("/lines", func(c *gin.Context) {
		rowsJSON[lineRow](c, pool)(postgres.PayoutLinesFirstPageSQL(scope.All(), c.Query("payout"), settlement.LineFilter{}, 51))
	})
	r.GET("/search", func(c *gin.Context) {
		rowsJSON[searchRow](c, pool)(postgres.LineSearchSQL(scope.All(), c.Query("q"), 0, 51))
	})
	r.GET("/partners", func(c *gin.Context) {
		// The API's stuck-before is now less PARTNERDESK_PARTNER_STUCK_AFTER;
		// it only changes a column, not the rows.
		f := partner.Filter{Q: c.Query("q"), StuckBefore: time.Now().Add(-7 * 24 * time.Hour)}
		q, args, err := postgres.DirectoryListSQL(scope.All(), f, 50)
		if err != nil {
			c.String(http.StatusBadRequest, err.Error())
			return
		}
		rowsJSON[directoryRow](c, pool)(q, args)
	})
	r.GET("/payments", func(c *gin.Context) {
		q := c.Request.URL.Query()
		// As the API reads them; UNKNOWN is the path no event told.
		f := payment.Filter{States: q["state"], Currencies: q["currency"], Query: c.Query("q")}
		for _, v := range q["path"] {
			if v == "UNKNOWN" {
				v = ""
			}
			f.Paths = append(f.Paths, v)
		}
		for _, v := range q["partner"] {
			id, err := uuid.Parse(v)
			if err != nil {
				c.String(http.StatusBadRequest, "partner")
				return
			}
			f.Tenants = append(f.Tenants, id)
		}
		// the store reads a row more than the page, to know whether another follows
		sql, args, err := postgres.PaymentListSQL(scope.All(), f, c.Query("cursor"), 51)
		if err != nil {
			c.String(http.StatusBadRequest, err.Error())
			return
		}
		rowsJSON[paymentRow](c, pool)(sql, args)
	})
	srv := &http.Server{Addr: *addr, Handler: r, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}

// rowsJSON answers c with the rows of a store query, run through pgx, as
// JSON: rowsJSON[T](c, pool)(query, args).
func rowsJSON[T any](c *gin.Context, pool *pgxpool.Pool) func(string, []any) {
	return func(q string, args []any) {
		sqlText, args, err := postgres.PgxSQL(q, args)
		if err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		rows, err := pool.Query(c.Request.Context(), sqlText, args...)
		if err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		items, err := pgx.CollectRows(rows, pgx.RowToStructByPos[T])
		if err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.JSON(http.StatusOK, gin.H{"items": items})
	}
}

// disputeRow is one row of the store's query, in its column order.
type disputeRow struct {
	DisputeID            string     `json:"dispute_id"`
	TenantID             string     `json:"tenant_id"`
	PartnerName          string     `json:"partner_name"`
	KlarnaAccountID      string     `json:"klarna_account_id"`
	PaymentAccountID     string     `json:"payment_account_id"`
	State                string     `json:"state"`
	PreviousState        string     `json:"previous_state"`
	RepresentmentState   string     `json:"representment_state"`
	Reason               string     `json:"reason"`
	Amount               int64      `json:"amount"`
	Currency             string     `json:"currency"`
	OrderID              string     `json:"order_id"`
	PaymentTransactionID string     `json:"payment_transaction_id"`
	PurchaseReference    string     `json:"purchase_reference"`
	DeadlineAt           *time.Time `json:"deadline_at"`
	Outcome              string     `json:"outcome"`
	OutcomeDetailed      string     `json:"outcome_detailed"`
	OpenedAt             time.Time  `json:"opened_at"`
	ClosedAt             *time.Time `json:"closed_at"`
	AnsweredAt           *time.Time `json:"answered_at"`
	StateAt              time.Time  `json:"state_at"`
	KlarnaUpdatedAt      time.Time  `json:"klarna_updated_at"`
	AssigneeID           *string    `json:"assignee_id"`
	AssigneeName         string     `json:"assignee_name"`
	ReadAt               *time.Time `json:"read_at"`
	UpdatedAt            time.Time  `json:"updated_at"`
	Bucket               int16      `json:"bucket"`
	QueueKey             int64      `json:"queue_key"`
}

// lineRow is one row of the payout lines query, in its column order.
type lineRow struct {
	ID                          int64           `json:"id"`
	PaymentReference            string          `json:"payment_reference"`
	TenantID                    string          `json:"tenant_id"`
	Seq                         int32           `json:"seq"`
	Type                        string          `json:"type"`
	DetailedType                string          `json:"detailed_type"`
	Amount                      int64           `json:"amount"`
	Currency                    string          `json:"currency"`
	VATRate                     *int64          `json:"vat_rate"`
	VATAmount                   *int64          `json:"vat_amount"`
	TaxInRegistrationCurrency   *int64          `json:"tax_in_registration_currency"`
	RegistrationCurrency        string          `json:"registration_currency"`
	SaleDate                    *time.Time      `json:"sale_date"`
	CaptureDate                 *time.Time      `json:"capture_date"`
	OrderID                     string          `json:"order_id"`
	ShortOrderID                string          `json:"short_order_id"`
	CaptureID                   string          `json:"capture_id"`
	RefundID                    string          `json:"refund_id"`
	MerchantReference1          string          `json:"merchant_reference1"`
	MerchantReference2          string          `json:"merchant_reference2"`
	MerchantCaptureReference    string          `json:"merchant_capture_reference"`
	MerchantRefundReference     string          `json:"merchant_refund_reference"`
	PurchaseCountry             string          `json:"purchase_country"`
	ShippingCountry             string          `json:"shipping_country"`
	InitialPaymentMethodType    string          `json:"initial_payment_method_type"`
	InitialNumberOfInstallments *int64          `json:"initial_number_of_installments"`
	InitialMonthlyDownpayments  *int64          `json:"initial_payment_method_monthly_downpayments"`
	KlarnaComment               string          `json:"klarna_comment"`
	ReversalReference           string          `json:"reversal_reference"`
	Extra                       json.RawMessage `json:"extra"`
	DisputeID                   string          `json:"dispute_id"`
}

// searchRow is one row of the line search: a line, its payout's date and
// its partner's name.
type searchRow struct {
	lineRow
	PayoutDate  time.Time `json:"payout_date"`
	PartnerName string    `json:"partner_name"`
}

// directoryRow is one row of the directory query, in its column order.
type directoryRow struct {
	TenantID               string     `json:"tenant_id"`
	Slug                   string     `json:"tenant_slug"`
	Name                   string     `json:"name"`
	Reference              string     `json:"reference"`
	KlarnaAccountID        string     `json:"klarna_account_id"`
	KlarnaName             string     `json:"klarna_name"`
	ContactEmail           string     `json:"contact_email"`
	State                  string     `json:"state"`
	ProductStatus          string     `json:"product_status"`
	Stage                  string     `json:"onboarding_stage"`
	Stuck                  bool       `json:"stuck"`
	EntityCount            int64      `json:"entity_count"`
	BrandCount             int64      `json:"brand_count"`
	StoreCount             int64      `json:"store_count"`
	PaymentAccountCount    int64      `json:"payment_account_count"`
	Warnings               []string   `json:"warnings"`
	CreatedAt              time.Time  `json:"created_at"`
	UpdatedAt              time.Time  `json:"updated_at"`
	SyncedAt               *time.Time `json:"synced_at"`
	SyncError              string     `json:"sync_error"`
	PartiallyOperationalAt *time.Time `json:"partially_operational_at"`
	OperationalAt          *time.Time `json:"operational_at"`
	OffboardedAt           *time.Time `json:"offboarded_at"`
}

// paymentRow is one row of the payments list query, in its column order
// (the payment's columns, then its partner's name).
type paymentRow struct {
	PaymentRequestID        string          `json:"payment_request_id"`
	TenantID                string          `json:"tenant_id"`
	KlarnaAccountID         string          `json:"klarna_account_id"`
	Reference               string          `json:"reference"`
	PurchaseReference       string          `json:"purchase_reference"`
	PaymentTransactionID    string          `json:"payment_transaction_id"`
	OrderID                 string          `json:"order_id"`
	PaymentAccountID        string          `json:"payment_account_id"`
	PaymentAccountReference string          `json:"payment_account_reference"`
	State                   string          `json:"state"`
	StateReason             string          `json:"state_reason"`
	StateAt                 time.Time       `json:"state_at"`
	Amount                  *int64          `json:"amount"`
	Currency                string          `json:"currency"`
	IntegrationPath         string          `json:"integration_path"`
	PaymentType             string          `json:"payment_type"`
	CustomerToken           bool            `json:"customer_token"`
	InteropSource           string          `json:"interop_source"`
	InteropToken            bool            `json:"interop_token"`
	CreatedAt               time.Time       `json:"created_at"`
	SubmittedAt             *time.Time      `json:"submitted_at"`
	AuthorizedAt            *time.Time      `json:"authorized_at"`
	FinalAt                 *time.Time      `json:"final_at"`
	ExpiresAt               *time.Time      `json:"expires_at"`
	Events                  int32           `json:"events"`
	UpdatedAt               time.Time       `json:"updated_at"`
	Extra                   json.RawMessage `json:"extra"`
	PartnerName             string          `json:"partner_name"`
}
