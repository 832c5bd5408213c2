// Command bare is the baseline of the dispute queue measures of `make bench`:
// a bare Gin + pgx handler that runs exactly the SQL the product's store runs
// for the queue's first page (postgres.DisputeFirstPageSQL) and writes the
// rows as JSON (scanned by position into one flat struct), with no
// authentication, authorization, view counts or DTOs.
//
//	bare -addr 127.0.0.1:8099 -dsn postgres://…
//
// GET /queue takes the queue's view, partner, state, reason and currency
// parameters.
package main

import (
	"context"
	"flag"
	"log"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/partnerdesk/partnerdesk/internal/dispute"
	"github.com/partnerdesk/partnerdesk/internal/postgres"
	"github.com/partnerdesk/partnerdesk/internal/scope"
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
		sqlText, args, err := postgres.PgxSQL(postgres.DisputeFirstPageSQL(scope.All(), f, 50))
		if err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		rows, err := pool.Query(c.Request.Context(), sqlText, args...)
		if err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		items, err := pgx.CollectRows(rows, pgx.RowToStructByPos[disputeRow])
		if err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.JSON(http.StatusOK, gin.H{"items": items})
	})
	srv := &http.Server{Addr: *addr, Handler: r, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
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
