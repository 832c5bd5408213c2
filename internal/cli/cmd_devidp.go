package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/auth/oidctest"
)

// Development IdP defaults. The client secret is a fixed, public value on
// purpose: this IdP signs anyone in as any persona and is for development only.
const (
	devIdPDefaultAddr       = "127.0.0.1:8091"
	devIdPDefaultClientID   = "partnerdesk-dev"
	devIdPDefaultSecret     = "partnerdesk-dev-secret"
	devIdPDefaultRedirect   = "http://127.0.0.1:8080/auth/callback"
	devIdPDefaultPostLogout = "http://127.0.0.1:8080/"
	envDevIdPAddr           = "PARTNERDESK_DEV_IDP_ADDR"
	envDevIdPClientSecret   = "PARTNERDESK_DEV_IDP_CLIENT_SECRET"
)

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

func init() {
	var (
		addr, issuer, clientID, clientSecret, personasFile string
		redirects, postLogout                              stringList
		loopback, atUserInfo                               bool
	)
	Register(&Command{
		Name:    "dev-idp",
		Summary: "run the development OpenID Provider (persona picker, no passwords; never for production)",
		Usage:   "[--addr HOST:PORT] [--issuer URL] [--client-id ID] [--client-secret S] [--redirect-uri URI]... [--personas FILE]",
		Flags: func(fs *flag.FlagSet) {
			redirects, postLogout = nil, nil
			fs.StringVar(&addr, "addr", "", "listen address (env "+envDevIdPAddr+", default "+devIdPDefaultAddr+")")
			fs.StringVar(&issuer, "issuer", "", "issuer URL the provider is reachable at (default http://<addr>)")
			fs.StringVar(&clientID, "client-id", devIdPDefaultClientID, "OAuth client id of the application")
			fs.StringVar(&clientSecret, "client-secret", "", "client secret (env "+envDevIdPClientSecret+", default "+devIdPDefaultSecret+")")
			fs.Var(&redirects, "redirect-uri", "registered redirect URI, repeatable (default "+devIdPDefaultRedirect+")")
			fs.Var(&postLogout, "post-logout-redirect-uri", "registered post-logout redirect URI, repeatable (default "+devIdPDefaultPostLogout+")")
			fs.BoolVar(&loopback, "allow-loopback-redirects", false, "also accept http://127.0.0.1:<any port> and http://localhost:<any port> URIs with a registered path")
			fs.StringVar(&personasFile, "personas", "", "JSON file of personas replacing the defaults")
			fs.BoolVar(&atUserInfo, "claims-at-userinfo", false, "release email, name and groups only at the userinfo endpoint; the ID token carries sub alone")
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("dev-idp: unexpected arguments %q: %w", args, ErrUsage)
			}
			cfg := devIdPConfig{
				addr: firstNonEmpty(addr, env.Getenv(envDevIdPAddr), devIdPDefaultAddr), issuer: issuer,
				clientID: clientID, clientSecret: firstNonEmpty(clientSecret, env.Getenv(envDevIdPClientSecret), devIdPDefaultSecret),
				redirects: redirects, postLogout: postLogout, loopback: loopback, personasFile: personasFile,
				atUserInfo: atUserInfo,
			}
			if len(cfg.redirects) == 0 {
				cfg.redirects = []string{devIdPDefaultRedirect}
			}
			if len(cfg.postLogout) == 0 {
				cfg.postLogout = []string{devIdPDefaultPostLogout}
			}
			return runDevIdP(ctx, env, cfg)
		},
	})
}

type devIdPConfig struct {
	addr, issuer, clientID, clientSecret, personasFile string
	redirects, postLogout                              []string
	loopback, atUserInfo                               bool
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func runDevIdP(ctx context.Context, env *Env, cfg devIdPConfig) error {
	logger := slog.New(slog.NewTextHandler(env.Stderr, nil))
	var personas []oidctest.Persona
	if cfg.personasFile != "" {
		var err error
		if personas, err = oidctest.LoadPersonas(cfg.personasFile); err != nil {
			return fmt.Errorf("dev-idp: %w", err)
		}
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("dev-idp: listen: %w", err)
	}
	defer ln.Close()
	issuer := cfg.issuer
	if issuer == "" {
		issuer = "http://" + issuerHost(cfg.addr, ln.Addr())
	}
	idp, err := oidctest.New(oidctest.Options{
		Issuer: issuer,
		Clients: []oidctest.Client{{
			ID: cfg.clientID, Secret: cfg.clientSecret, RedirectURIs: cfg.redirects,
			PostLogoutRedirectURIs: cfg.postLogout, AllowLoopbackRedirects: cfg.loopback,
		}},
		Personas:                personas,
		ProfileClaimsAtUserInfo: cfg.atUserInfo,
		Logger:                  logger,
	})
	if err != nil {
		return fmt.Errorf("dev-idp: %w", err)
	}

	fmt.Fprint(env.Stderr, ""+
		"************************************************************************\n"+
		"*  DEVELOPMENT IDENTITY PROVIDER: anyone can sign in as any persona,   *\n"+
		"*  without a password. Never use it in production or expose it beyond *\n"+
		"*  your machine.                                                       *\n"+
		"************************************************************************\n")
	var b strings.Builder
	fmt.Fprintf(&b, "partnerdesk dev-idp listening on %s\n", ln.Addr())
	fmt.Fprintf(&b, "issuer:         %s\n", idp.Issuer())
	fmt.Fprintf(&b, "client id:      %s\n", cfg.clientID)
	if cfg.clientSecret == devIdPDefaultSecret {
		fmt.Fprintf(&b, "client secret:  the development default %q (set --client-secret or %s)\n", devIdPDefaultSecret, envDevIdPClientSecret)
	} else {
		fmt.Fprintf(&b, "client secret:  (set, not shown)\n")
	}
	fmt.Fprintf(&b, "redirect URIs:  %s\n", strings.Join(cfg.redirects, " "))
	fmt.Fprintf(&b, "logout URIs:    %s\n", strings.Join(cfg.postLogout, " "))
	if cfg.atUserInfo {
		fmt.Fprintf(&b, "claims:         email, name and groups only at the userinfo endpoint\n")
	}
	fmt.Fprintf(&b, "personas (pick on the sign-in page, or pass as login_hint):\n")
	width := 0
	for _, p := range idp.Personas() {
		width = max(width, len(p.ID))
	}
	for _, p := range idp.Personas() {
		fmt.Fprintf(&b, "  %-*s  %s, %s (%s)\n", width, p.ID, p.Role, p.Tenant, p.Email)
	}
	fmt.Fprint(env.Stdout, b.String())

	srv := &http.Server{
		Handler:           idp.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("dev-idp: serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		srv.Close()
		return fmt.Errorf("dev-idp: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("dev-idp: serve: %w", err)
	}
	logger.Info("dev idp stopped")
	return nil
}

// issuerHost is the host:port for the default issuer: the configured
// address, or the actual one when the port was 0 or the host left empty or
// unspecified (then 127.0.0.1).
func issuerHost(configured string, actual net.Addr) string {
	host, port, err := net.SplitHostPort(configured)
	if err != nil {
		return configured
	}
	if port == "0" {
		if tcp, ok := actual.(*net.TCPAddr); ok {
			port = fmt.Sprint(tcp.Port)
		}
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
