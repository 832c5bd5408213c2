// Package app is the composition root: configuration → database → stores →
// services → HTTP server and background jobs. `partnerdesk serve` and `dev`
// run it, and tests start it on 127.0.0.1:0.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/riverqueue/river"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/auth"
	"github.com/partnerdesk/partnerdesk/internal/config"
	"github.com/partnerdesk/partnerdesk/internal/dispute"
	"github.com/partnerdesk/partnerdesk/internal/home"
	"github.com/partnerdesk/partnerdesk/internal/httpapi"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/identity"
	"github.com/partnerdesk/partnerdesk/internal/jobs"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/klarnalog"
	"github.com/partnerdesk/partnerdesk/internal/notify"
	"github.com/partnerdesk/partnerdesk/internal/partner"
	"github.com/partnerdesk/partnerdesk/internal/payment"
	"github.com/partnerdesk/partnerdesk/internal/postgres"
	"github.com/partnerdesk/partnerdesk/internal/search"
	"github.com/partnerdesk/partnerdesk/internal/secretbox"
	"github.com/partnerdesk/partnerdesk/internal/settlement"
	"github.com/partnerdesk/partnerdesk/internal/webhook"
)

// Version is set at build time with -ldflags "-X .../internal/app.Version=v1.2.3".
var Version = ""

// BuildVersion is Version, or the VCS revision the binary was built from.
func BuildVersion() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		rev, dirty := "", false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" && dirty {
			return "dev-" + rev + "-dirty"
		}
		if rev != "" {
			return "dev-" + rev
		}
	}
	return "dev"
}

// Options are what the caller decides beyond the configuration.
type Options struct {
	Logger      *slog.Logger
	DatabaseURL string // overrides cfg.DatabaseURL (dev's private cluster, tests)
	UI          fs.FS
	Dev         bool // started by `partnerdesk dev`
	// OIDC overrides the relying party configuration derived from cfg
	// (dev points it at its own provider).
	OIDC *auth.Config
	// Klarna overrides the Klarna client configuration derived from cfg
	// (dev points it at its simulator).
	Klarna *klarna.Config
	// EncryptionKey overrides cfg.EncryptionKey (dev keeps one in DATA_DIR).
	EncryptionKey []byte
	// JobRetry overrides River's retry schedule (tests).
	JobRetry river.ClientRetryPolicy
	// WebhookNow is the webhook pipeline's clock (key grace periods,
	// receive times); default time.Now. Tests move it instead of waiting.
	WebhookNow func() time.Time
	// Listener, when set, is served instead of listening on cfg.HTTPAddr
	// (tests hold their port open from the moment they choose it).
	Listener net.Listener
	// OnboardingRetryBase overrides the first retry delay of an onboard
	// call Klarna did not time (tests).
	OnboardingRetryBase time.Duration
	// ChangeRetryBase overrides the first retry delay of a change pushed
	// to Klarna (2 s), for tests.
	ChangeRetryBase time.Duration
	// BulkWindow overrides how many drafts of a bulk run wait on Klarna at
	// once (tests).
	BulkWindow int
	// DeepLinkSource says where Klarna.DeepLinkSigner came from, for
	// Settings (dev: generated under DATA_DIR).
	DeepLinkSource string
}

// App is a running Partner Desk instance.
type App struct {
	cfg    *config.Config
	log    *slog.Logger
	DB     *postgres.DB
	Jobs   *jobs.Client
	Access *access
	// Klarna is the Klarna client; nil when no API key is configured.
	Klarna *klarna.Client
	// Webhooks is the inbound webhook pipeline; Partners and Disputes the
	// domain services its handlers belong to.
	Webhooks *webhook.Service
	Partners *partner.Service
	// Directory is the partner directory and the sync of accounts from Klarna.
	Directory *partner.Directory
	Disputes  *dispute.Service
	// SettlementIngest reads settlement reports from Klarna into payouts
	// and their lines (webhook, periodic sync).
	SettlementIngest *settlement.Ingester
	// Notifications are the users' in-app notices and their e-mail;
	// Reminders the dispute deadline reminders and escalations.
	Notifications *notify.Service
	Reminders     *notify.Reminders
	// Responder drafts and sends partners' answers to disputes.
	Responder *dispute.Responder
	// Onboarding prepares onboarding drafts and submits them to Klarna.
	Onboarding *partner.OnboardingService
	// Bulk onboards partners from an uploaded CSV.
	Bulk *partner.BulkService
	// Changes pushes every change of a partner's account to Klarna.
	Changes *partner.ChangeService
	// PartnerData edits partners' data at Klarna after onboarding.
	PartnerData *partner.DataService
	// Products disables and enables payment products; Offboarding runs the
	// guided offboarding of partners.
	Products    *partner.ProductService
	Offboarding *partner.OffboardingService
	// Credentials manages partners' Klarna API keys and client identifiers.
	Credentials *partner.CredentialService
	// CallLog records every Klarna call (batched writes); KlarnaLog reads
	// and prunes the log.
	CallLog   *postgres.KlarnaCallRecorder
	KlarnaLog *klarnalog.Service
	// Acquirer is the acquirer tenant.
	Acquirer identity.Tenant
	stop     context.CancelFunc

	shutdownOnce sync.Once
	shutdownErr  error
	srv          *http.Server
	ln           net.Listener
	metrics      *http.Server // on cfg.MetricsAddr when set
	metricsLn    net.Listener
	served       chan error
}

// NewLogger is the JSON logger at the configured level.
func NewLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

// New connects to the database, applies migrations when configured to, and
// wires everything. Nothing listens until Start.
func New(ctx context.Context, cfg *config.Config, opts Options) (_ *App, err error) {
	log := opts.Logger
	if log == nil {
		log = NewLogger(os.Stderr, cfg.LogLevel)
	}
	dsn := cfg.DatabaseURL
	if opts.DatabaseURL != "" {
		dsn = opts.DatabaseURL
	}
	if dsn == "" {
		return nil, errors.New("no database: set PARTNERDESK_DATABASE_URL (or use `partnerdesk dev`, which runs a private one)")
	}
	db, err := postgres.Open(ctx, dsn, postgres.Options{MaxConns: int32(cfg.DBMaxConns)})
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			db.Close()
		}
	}()
	if cfg.AutoMigrate {
		if err := db.MigrateUp(ctx, log); err != nil {
			return nil, err
		}
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), newPoolCollector(db))

	// The Klarna call log: the client hands every call's record to the
	// recorder, which writes them in batches off the call path.
	callLog := postgres.NewKlarnaCallRecorder(db, postgres.KlarnaCallRecorderOptions{Logger: log.With("component", "klarna-call-log"), Registerer: reg})
	defer func() {
		if err != nil {
			_ = callLog.Close(context.WithoutCancel(ctx))
		}
	}()
	klarnaLog := klarnalog.New(db.KlarnaCalls(), cfg.KlarnaLogRetention)

	kc := opts.Klarna
	if kc == nil && cfg.KlarnaAPIKey != "" {
		kc = KlarnaConfig(cfg, cfg.Demo)
	}
	var kl *klarna.Client
	signerSource := opts.DeepLinkSource
	if kc != nil && kc.DeepLinkSigner == nil {
		if kc.DeepLinkSigner, err = deepLinkSigner(cfg); err != nil {
			return nil, err
		}
		signerSource = config.Prefix + "KLARNA_DEEPLINK_CERT_FILE"
		if kc.DeepLinkSigner == nil && kc.ClientCertFile != "" {
			signerSource = "the mTLS certificate (" + config.Prefix + "KLARNA_CLIENT_CERT_FILE)"
		}
	}
	if kc != nil {
		kc.Logger, kc.Registerer, kc.Recorder = log.With("component", "klarna"), reg, callLog
		if kl, err = klarna.New(*kc); err != nil {
			return nil, err
		}
	}

	oidc := opts.OIDC
	if oidc == nil {
		oidc = OIDCConfig(cfg, opts.Dev || cfg.Demo)
	}
	acc, err := newAccess(ctx, cfg, db, log, *oidc)
	if err != nil {
		return nil, err
	}
	acquirer, err := acc.ensureAcquirer(ctx, db.Identity(), cfg.AcquirerName, cfg.BootstrapAdmins)
	if err != nil {
		return nil, err
	}

	// Jobs and the webhook pipeline need each other: the queue runs the
	// pipeline's worker, the pipeline enqueues on the queue.
	// Each area registers its own job kinds.
	proc := &lateProcessor{}
	kinds := &jobs.Kinds{}
	jobs.RegisterHeartbeat(kinds, db, cfg.HeartbeatEvery)
	jobs.RegisterWebhookProcessing(kinds, proc)
	syncer := &lateSyncer{}
	jobs.RegisterPartnerSync(kinds, syncer, sweepEvery(cfg.PartnerResyncAfter))
	onb := &lateOnboarder{}
	jobs.RegisterOnboarding(kinds, onb, cfg.OnboardingWorkers)
	feeder := &lateBulkFeeder{}
	jobs.RegisterBulkFeed(kinds, feeder)
	changer := &lateChanger{}
	jobs.RegisterChanges(kinds, changer, cfg.OnboardingWorkers)
	offboarder := &lateOffboarder{}
	jobs.RegisterOffboarding(kinds, offboarder)
	mirror := &lateDisputes{}
	jobs.RegisterDisputes(kinds, mirror, cfg.DisputeSyncInterval)
	notifier, reminder := &lateNotifier{}, &lateReminder{}
	jobs.RegisterNotifications(kinds, notifier, reminder, cfg.ReminderEvery)
	answers := &lateResponder{}
	jobs.RegisterDisputeActions(kinds, answers)
	settlementJobs := &lateSettlements{}
	jobs.RegisterSettlements(kinds, settlementJobs, cfg.SettlementSyncInterval)
	jobs.RegisterKlarnaCallRetention(kinds, klarnaLog, time.Hour)
	jobClient, err := jobs.New(db.Pool, jobs.Options{
		Workers:     cfg.JobWorkers,
		Logger:      log.With("component", "jobs"),
		Registerer:  reg,
		Kinds:       kinds,
		RescueAfter: cfg.JobRescueAfter,
		Retry:       opts.JobRetry,
	})
	if err != nil {
		return nil, err
	}
	box, err := encryptionBox(cfg, opts.EncryptionKey)
	if err != nil {
		return nil, err
	}
	registry := &webhook.Registry{}
	wh, err := webhook.New(ctx, webhook.Options{
		Store: db.Webhooks(), Enqueuer: jobs.NewEnqueuer(jobClient, postgres.PgxTx, cfg.WebhookMaxAttempts), Registry: registry, Box: box,
		ConfigKeys: cfg.SigningKeys(), Klarna: kl, Audit: acc.record, Logger: log.With("component", "webhooks"), Registerer: reg,
		MaxAttempts: cfg.WebhookMaxAttempts, KeyGrace: cfg.WebhookKeyGrace, Quarantine: cfg.WebhookQuarantineSize, QuarantinePerMinute: cfg.WebhookQuarantineRate, EventTypes: cfg.WebhookEventTypes,
		Now: opts.WebhookNow, Batching: webhook.Batching{MaxSize: cfg.WebhookBatchSize, MaxWait: cfg.WebhookBatchWait, Flushers: cfg.WebhookBatchFlushers},
	})
	if err != nil {
		return nil, err
	}
	proc.svc = wh
	notifications := newNotify(cfg, db, jobs.NewEnqueuer(jobClient, postgres.PgxTx, 0), opts.Dev, notify.Audience{Roles: rolesWith(acc.Authz), Acquirer: acquirer.ID})
	notifier.svc = notifications
	// Product status changes, however they are seen, are announced.
	productHistory := partner.AnnounceProducts(db.Products(), notifications, db.Webhooks().TenantOfAccount)
	partners := partner.NewService(db.Partners(), wh, acc.record)
	dirOpts := partner.DirectoryOptions{Store: db.Directory(), Enqueuer: jobs.NewEnqueuer(jobClient, postgres.PgxTx, cfg.WebhookMaxAttempts), Audit: acc.record,
		StuckAfter: cfg.PartnerStuckAfter, ResyncAfter: cfg.PartnerResyncAfter, SyncInterval: cfg.PartnerSyncInterval, Products: productHistory}
	if kl != nil {
		dirOpts.Klarna = kl
	}
	directory := partner.NewDirectory(dirOpts)
	syncer.dir = directory
	partners.UseDirectory(directory)
	partners.UseProductHistory(productHistory)
	partners.RegisterWebhooks(registry)
	var fetcher dispute.Fetcher
	if kl != nil {
		fetcher = kl
	}
	disputes := newDisputes(db, fetcher, jobClient, acc)
	mirror.svc = disputes
	disputes.RegisterWebhooks(registry)
	var settlementFetcher settlement.Fetcher
	if kl != nil {
		settlementFetcher = kl
	}
	settlementIngest := newSettlementIngest(db, settlementFetcher, jobClient, notifications)
	settlementJobs.svc = settlementIngest
	settlementIngest.RegisterWebhooks(registry)
	payments := payment.New(payment.Options{Store: db.Payments()})
	payments.RegisterWebhooks(registry)
	handlerRoles, supportRoles := disputeRoles(acc.Authz)
	reminders := &notify.Reminders{Store: db.Notifications(), Notify: notifications, Timeline: disputes,
		HandlerRoles: handlerRoles, SupportRoles: supportRoles, Acquirer: acquirer.ID}
	reminder.r = reminders
	var answerer dispute.Answerer
	if kl != nil {
		answerer = kl
	}
	responder := newResponder(db, disputes, answerer, jobClient)
	answers.svc = responder
	onboarding := newOnboarding(cfg, db, kl, jobClient, acc, partners, notifications, opts.OnboardingRetryBase)
	onb.svc = onboarding
	bulk := partner.NewBulkService(partner.BulkOptions{Store: db.Bulk(), Drafts: onboarding, Enqueuer: jobs.NewEnqueuer(jobClient, postgres.PgxTx, 0), Audit: acc.record,
		Window: opts.BulkWindow, Ready: func() error {
			if kl == nil {
				return apperr.E(apperr.Unavailable, "Klarna is not configured (PARTNERDESK_KLARNA_API_KEY), so partners cannot be onboarded.")
			}
			return nil
		}})
	feeder.svc = bulk
	changes := newChanges(db, kl, jobClient, acc, directory, log, opts.ChangeRetryBase)
	changer.svc = changes
	products := partner.NewProductService(db.Products(), directory, changes)
	offboarding := newOffboarding(db, jobClient, acc, products)
	offboarder.svc = offboarding
	var credKlarna partner.CredentialKlarna
	if kl != nil {
		credKlarna = kl
	}
	credentials := partner.NewCredentialService(db.Credentials(), credKlarna, acc.record, nil)
	partnerData := newPartnerData(kc, directory, changes)
	offboarding.UseCredentials(credentials)
	portalOpts := partner.PortalOptions{Store: db.Directory(), Issuer: cfg.KlarnaAccountID, Audit: acc.record}
	if kl != nil {
		portalOpts.Klarna, portalOpts.Signer = kl, kl.Signer()
	}
	portal := partner.NewPortal(portalOpts)

	env := apigen.MetaEnvironmentProduction
	if opts.Dev {
		env = apigen.MetaEnvironmentDev
	}
	settlementReader := newSettlementReader(db, kl)
	handler, err := httpapi.New(httpapi.Options{
		Logger:       log,
		Registry:     reg,
		DB:           db,
		UI:           opts.UI,
		MaxBodyBytes: cfg.MaxBodyBytes,
		TLS:          cfg.TLSEnabled(),
		Version:      BuildVersion(),
		Environment:  env,
		Demo:         cfg.Demo || opts.Dev,

		TrustedProxies:   cfg.TrustedProxies,
		MetricsToken:     cfg.MetricsToken,
		MetricsElsewhere: cfg.MetricsAddr != "",

		Auth:          acc.Auth,
		Identity:      acc.Identity,
		Authz:         acc.Authz,
		Tenants:       identity.NewDirectory(db.Identity()),
		Audit:         auditReader{Service: acc.Audit, store: db.Identity(), rec: acc.record},
		SecureCookies: strings.HasPrefix(cfg.BaseURL(), "https://"),
		Idempotency:   db.Idempotency(),

		Webhooks:         wh,
		Directory:        directory,
		WebhookURL:       cfg.BaseURL() + "/webhooks/klarna",
		KlarnaConfigured: kl != nil,
		Onboarding:       onboarding,
		Bulk:             bulk,
		Credentials:      credentials,
		Changes:          changes,
		PartnerData:      partnerData,
		ImageOrigins:     simulatorImageOrigins(kc),
		Products:         products,
		Offboarding:      offboarding,
		Readiness:        readinessSources(db, acc, portal),
		Portal:           portal,
		KlarnaSettings:   klarnaSettings(cfg, kc, kl, signerSource),
		Disputes:         disputes,
		Responder:        responder,
		SavedViews:       db.SavedViews(),
		Notifications:    notifications,
		DisputeAnalytics: db.Disputes(),
		RunReminders:     devOnly(opts.Dev, reminders.Run),
		Settlements:      settlementReader,
		Payments:         payments,
		Home: home.New(home.Options{Partners: directory, Drafts: onboarding, Credentials: credentials, Webhooks: wh, Disputes: disputes,
			Settlements: settlementReader, RateLimits: ratePressure(kl)}),
		Search:      search.New(search.Options{Store: db.Search(), Partners: db.Directory(), Disputes: db.Disputes(), Payments: db.Payments(), Settlements: db.SettlementReads()}),
		KlarnaCalls: klarnaLog,
	})
	if err != nil {
		return nil, err
	}
	return &App{
		cfg:              cfg,
		log:              log,
		DB:               db,
		Jobs:             jobClient,
		Access:           acc,
		Klarna:           kl,
		Webhooks:         wh,
		Partners:         partners,
		Directory:        directory,
		Onboarding:       onboarding,
		Changes:          changes,
		PartnerData:      partnerData,
		Products:         products,
		Offboarding:      offboarding,
		Disputes:         disputes,
		SettlementIngest: settlementIngest,
		Notifications:    notifications,
		Reminders:        reminders,
		Responder:        responder,
		Bulk:             bulk,
		Credentials:      credentials,
		CallLog:          callLog,
		KlarnaLog:        klarnaLog,
		Acquirer:         acquirer,
		ln:               opts.Listener,
		srv: &http.Server{
			Handler:           handler,
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       60 * time.Second,
			IdleTimeout:       120 * time.Second,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		},
		served: make(chan error, 1),
		metrics: &http.Server{
			Handler:           httpapi.MetricsHandler(log, reg, cfg.MetricsToken),
			ReadHeaderTimeout: 10 * time.Second,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		},
	}, nil
}

// OIDCConfig is the relying party configuration from cfg.
func OIDCConfig(cfg *config.Config, allowDev bool) *auth.Config {
	redirect := cfg.OIDCRedirectURL
	if redirect == "" {
		redirect = cfg.BaseURL() + "/auth/callback"
	}
	return &auth.Config{
		Issuer: cfg.OIDCIssuer, ClientID: cfg.OIDCClientID, ClientSecret: cfg.OIDCClientSecret,
		RedirectURL: redirect, PostLogoutURL: cfg.BaseURL() + "/", Scopes: cfg.OIDCScopes,
		IdleTimeout: cfg.SessionIdle, AbsoluteTimeout: cfg.SessionAbsolute, StepUpMaxAge: cfg.StepUpMaxAge,
		LoginRateLimit: cfg.LoginRateLimit, AllowDevProvider: allowDev, GroupsClaim: cfg.OIDCGroupsClaim,
	}
}

// lateProcessor lets the job queue be built before the webhook service it
// runs; svc is set before the queue starts.
type lateProcessor struct{ svc *webhook.Service }

func (p *lateProcessor) Process(ctx context.Context, pk int64, attempt, maxAttempts int) error {
	return p.svc.Process(ctx, pk, attempt, maxAttempts)
}

// lateSyncer lets the job queue be built before the directory it runs;
// dir is set before the queue starts.
type lateSyncer struct{ dir *partner.Directory }

func (l *lateSyncer) Sync(ctx context.Context, id string) error { return l.dir.Sync(ctx, id) }
func (l *lateSyncer) QueueDue(ctx context.Context) (int, error) { return l.dir.QueueDue(ctx) }
func (l *lateSyncer) SyncAccountOnly(ctx context.Context, id string) error {
	return l.dir.SyncAccountOnly(ctx, id)
}

// sweepEvery is how often the job looking for overdue accounts runs: twice
// per resync period, at least every second and at most every minute.
func sweepEvery(resyncAfter time.Duration) time.Duration {
	return min(max(resyncAfter/2, time.Second), time.Minute)
}

// encryptionBox is the box for stored secrets, or nil when no key is set.
func encryptionBox(cfg *config.Config, key []byte) (*secretbox.Box, error) {
	if key == nil && cfg.EncryptionKey != "" {
		var err error
		if key, err = secretbox.ParseKey(cfg.EncryptionKey); err != nil {
			return nil, &config.FieldError{Var: config.Prefix + "ENCRYPTION_KEY", Message: err.Error()}
		}
	}
	if key == nil {
		return nil, nil
	}
	return secretbox.New(key)
}

// KlarnaConfig is the Klarna client configuration from cfg. allowSim lets
// it talk to the simulator (dev and demos only).
func KlarnaConfig(cfg *config.Config, allowSim bool) *klarna.Config {
	limits, _ := klarna.ParseRateLimits(cfg.KlarnaRateLimits) // validated at load
	return &klarna.Config{
		GatewayURL: cfg.KlarnaGatewayURL, DisputesURL: cfg.KlarnaDisputesURL, SettlementsURL: cfg.KlarnaSettlementsURL,
		APIKey: cfg.KlarnaAPIKey, ClientCertFile: cfg.KlarnaCertFile, ClientKeyFile: cfg.KlarnaKeyFile,
		Timeout: cfg.KlarnaTimeout, AllowSimulator: allowSim, RateLimits: limits,
	}
}

// Start listens on cfg.HTTPAddr (port 0 picks a free port), starts the job
// queue and serves in the background.
func (a *App) Start(ctx context.Context) error {
	ln := a.ln
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", a.cfg.HTTPAddr); err != nil {
			return fmt.Errorf("listen on %s (PARTNERDESK_HTTP_ADDR): %w", a.cfg.HTTPAddr, err)
		}
		a.ln = ln
	}
	var err error
	if a.cfg.MetricsAddr != "" {
		if a.metricsLn, err = net.Listen("tcp", a.cfg.MetricsAddr); err != nil {
			ln.Close()
			return fmt.Errorf("listen on %s (PARTNERDESK_METRICS_ADDR): %w", a.cfg.MetricsAddr, err)
		}
		go func() { _ = a.metrics.Serve(a.metricsLn) }()
	} else if host, _, _ := net.SplitHostPort(a.cfg.HTTPAddr); a.cfg.MetricsToken == "" && host != "127.0.0.1" && host != "localhost" && host != "::1" {
		a.log.Warn("/metrics is served without authentication on the main listener; set PARTNERDESK_METRICS_ADDR or PARTNERDESK_METRICS_TOKEN")
	}
	bg, stop := context.WithCancel(context.WithoutCancel(ctx))
	a.stop = stop
	go a.DB.Listen(bg, "partnerdesk_authz", a.log, func(ctx context.Context) {
		if err := a.Access.Authz.Reload(ctx); err != nil {
			a.log.Error("reloading authorization", "error", err)
		}
	})
	if err := a.Jobs.Start(bg); err != nil {
		ln.Close()
		if a.metricsLn != nil {
			a.metricsLn.Close()
		}
		return fmt.Errorf("start jobs: %w", err)
	}
	go func() {
		var err error
		if a.cfg.TLSEnabled() {
			err = a.srv.ServeTLS(ln, a.cfg.TLSCertFile, a.cfg.TLSKeyFile)
		} else {
			err = a.srv.Serve(ln)
		}
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		a.served <- err
	}()
	a.log.Info("listening", "addr", ln.Addr().String(), "version", BuildVersion())
	return nil
}

// MetricsURL is the base URL of the metrics listener ("" without METRICS_ADDR).
func (a *App) MetricsURL() string {
	if a.metricsLn == nil {
		return ""
	}
	return "http://" + a.metricsLn.Addr().String()
}

// Config is the configuration the app runs with.
func (a *App) Config() *config.Config { return a.cfg }

// Handler is the HTTP handler (for route introspection in tests).
func (a *App) Handler() http.Handler { return a.srv.Handler }

// Addr is the address the server listens on.
func (a *App) Addr() string { return a.ln.Addr().String() }

// URL is the server's base URL as reached on its listener.
func (a *App) URL() string {
	if a.cfg.TLSEnabled() {
		return "https://" + a.Addr()
	}
	return "http://" + a.Addr()
}

// Shutdown stops taking requests, waits for requests and jobs in flight
// (up to ctx's deadline) and closes the database.
// Calling it again returns the first call's result.
func (a *App) Shutdown(ctx context.Context) error {
	a.shutdownOnce.Do(func() { a.shutdownErr = a.shutdown(ctx) })
	return a.shutdownErr
}

func (a *App) shutdown(ctx context.Context) error {
	var errs []error
	if a.ln != nil {
		if err := a.srv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("http shutdown: %w", err))
		}
		if err := <-a.served; err != nil {
			errs = append(errs, err)
		}
		if a.metricsLn != nil {
			if err := a.metrics.Shutdown(ctx); err != nil {
				errs = append(errs, fmt.Errorf("metrics shutdown: %w", err))
			}
		}
		if err := a.Jobs.Stop(ctx); err != nil {
			errs = append(errs, fmt.Errorf("jobs stop: %w", err))
		}
		a.stop()
	}
	// After the jobs: the calls they made are in the buffer; written now.
	if err := a.CallLog.Close(ctx); err != nil {
		errs = append(errs, err)
	}
	a.Webhooks.Close() // after the server: requests in flight got their answer
	a.DB.Close()
	a.log.Info("stopped")
	return errors.Join(errs...)
}

// Run starts the app and serves until ctx is cancelled, then shuts down
// gracefully within cfg.ShutdownTimeout.
func (a *App) Run(ctx context.Context) error {
	if err := a.Start(ctx); err != nil {
		a.DB.Close()
		return err
	}
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-a.served:
		a.served <- serveErr
	}
	a.log.Info("shutting down", "timeout", a.cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	return errors.Join(serveErr, a.Shutdown(sctx))
}
