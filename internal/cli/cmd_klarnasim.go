package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
)

func init() {
	var (
		addr, apiKey, snapshot, publicURL string
		speed                             float64
		traffic, noRateLimit, strictHooks bool
	)
	Register(&Command{
		Name:    "klarna-sim",
		Summary: "run the Klarna simulator (Management, Disputes, Settlements, Portal APIs and /_sim/ control API)",
		Usage:   "[--addr HOST:PORT] [--api-key KEY] [--snapshot FILE] [--speed N] [--traffic] [--no-rate-limit]",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&addr, "addr", "", "listen address (env PARTNERDESK_KLARNA_SIM_ADDR, default 127.0.0.1:8090)")
			fs.StringVar(&apiKey, "api-key", "", "initial acquirer API key (env PARTNERDESK_KLARNA_SIM_API_KEY; generated and printed when empty)")
			fs.StringVar(&snapshot, "snapshot", "", "state snapshot file kept across restarts (env PARTNERDESK_KLARNA_SIM_SNAPSHOT)")
			fs.Float64Var(&speed, "speed", 0, "simulated seconds per real second (env PARTNERDESK_KLARNA_SIM_SPEED, default 1)")
			fs.BoolVar(&traffic, "traffic", false, "generate demo traffic (captures, refunds, disputes, settlements)")
			fs.BoolVar(&noRateLimit, "no-rate-limit", false, "disable the per-category rate limiter (load tests)")
			fs.BoolVar(&strictHooks, "strict-webhook-urls", false, "only accept HTTPS webhook URLs on port 443/8443, as Klarna does")
			fs.StringVar(&publicURL, "public-url", "", "base URL used in links inside webhook payloads (default http://ADDR)")
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("%w: unexpected arguments %v", ErrUsage, args)
			}
			pick := func(v, key, def string) string {
				if v != "" {
					return v
				}
				if e := env.Getenv(key); e != "" {
					return e
				}
				return def
			}
			addr = pick(addr, "PARTNERDESK_KLARNA_SIM_ADDR", "127.0.0.1:8090")
			apiKey = pick(apiKey, "PARTNERDESK_KLARNA_SIM_API_KEY", "")
			snapshot = pick(snapshot, "PARTNERDESK_KLARNA_SIM_SNAPSHOT", "")
			if speed == 0 {
				if v := env.Getenv("PARTNERDESK_KLARNA_SIM_SPEED"); v != "" {
					f, err := strconv.ParseFloat(v, 64)
					if err != nil {
						return fmt.Errorf("%w: PARTNERDESK_KLARNA_SIM_SPEED: %v", ErrUsage, err)
					}
					speed = f
				}
			}
			if publicURL == "" {
				publicURL = "http://" + addr
			}
			log := slog.New(slog.NewJSONHandler(env.Stderr, nil))
			sim, err := klarnasim.New(klarnasim.Options{
				APIKey: apiKey, Logger: log, SnapshotFile: snapshot, ClockSpeed: speed, Traffic: traffic,
				DisableRateLimits: noRateLimit, StrictWebhookURLs: strictHooks, PublicURL: publicURL,
			})
			if err != nil {
				return fmt.Errorf("klarna-sim: %w", err)
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("klarna-sim: listen: %w", err)
			}
			srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
			sim.Start(ctx)
			fmt.Fprintf(env.Stdout, "Klarna simulator listening on http://%s\n", ln.Addr())
			fmt.Fprintf(env.Stdout, "Acquirer API key: %s\n", sim.InitialAPIKey())
			fmt.Fprintf(env.Stdout, "Control API: http://%s%s\n", ln.Addr(), klarnasim.ControlPrefix)
			errc := make(chan error, 1)
			go func() { errc <- srv.Serve(ln) }()
			select {
			case <-ctx.Done():
			case err := <-errc:
				if !errors.Is(err, http.ErrServerClosed) {
					sim.Close()
					return fmt.Errorf("klarna-sim: serve: %w", err)
				}
			}
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = srv.Shutdown(sctx)
			if err := sim.Close(); err != nil {
				return fmt.Errorf("klarna-sim: %w", err)
			}
			return nil
		},
	})
}
