package klarna_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
)

// A production client (AllowSimulator false) refuses the simulator's answers
// at once, without retrying, with an error that says how to fix it.
func TestProductionClientRefusesTheSimulator(t *testing.T) {
	sim, err := klarnasim.New(klarnasim.Options{DisableRateLimits: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	c, err := klarna.New(klarna.Config{GatewayURL: srv.URL, APIKey: sim.InitialAPIKey()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListSigningKeys(context.Background())
	if !errors.Is(err, klarna.ErrSimulator) || apperr.CodeOf(err) != apperr.Unavailable {
		t.Fatalf("err = %v (code %s), want ErrSimulator/unavailable", err, apperr.CodeOf(err))
	}
}
