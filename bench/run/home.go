package main

import (
	"context"
	"encoding/json"
	"fmt"
)

// homeSteps are the home page of each acquirer persona across every
// partner, and of one partner (what a merchant's roles see there, read as
// the acquirer admin narrowed to that partner): the first request after
// signing in, so its server time is the first screen of the morning.
func (e *env) homeSteps(ctx context.Context, api, partner string) ([]timedStep, error) {
	var out []timedStep
	var acquirer string
	for _, persona := range []string{"acquirer-admin", "acquirer-support", "acquirer-finance", "auditor"} {
		session, err := e.login(ctx, persona)
		if err != nil {
			return nil, err
		}
		if acquirer == "" {
			if acquirer, err = acquirerOf(api, session); err != nil {
				return nil, err
			}
		}
		out = append(out, timedStep{name: "home: " + persona + ", every partner", path: "/home?tenant=" + acquirer, session: session})
		if persona == "acquirer-admin" {
			out = append(out, timedStep{name: "home: one partner (a merchant's tiles)", path: "/home?tenant=" + partner, session: session})
		}
	}
	return out, nil
}

// acquirerOf is the acquirer tenant of the signed-in user (from /me).
func acquirerOf(api, session string) (string, error) {
	body, err := status200(get(api+"/me", session))
	if err != nil {
		return "", err
	}
	var me struct {
		Tenants []struct{ ID, Kind string } `json:"tenants"`
	}
	if err := json.Unmarshal(body, &me); err != nil {
		return "", err
	}
	for _, t := range me.Tenants {
		if t.Kind == "acquirer" {
			return t.ID, nil
		}
	}
	return "", fmt.Errorf("GET /me: no acquirer tenant")
}
