package app

import (
	"net/url"

	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/partner"
)

// newPartnerData wires the editing of partners' data after onboarding and
// registers its Klarna calls on the change service. The image check may
// fetch from the simulator's own host when the client talks to the
// simulator (it serves the demo brand images); never other private hosts.
func newPartnerData(kc *klarna.Config, dir *partner.Directory, changes *partner.ChangeService) *partner.DataService {
	images := &partner.ImageChecker{}
	if u := simulatorURL(kc); u != nil {
		host := u.Host
		if u.Port() == "" {
			host += map[string]string{"https": ":443"}[u.Scheme] + map[string]string{"http": ":80"}[u.Scheme]
		}
		images.Allow = append(images.Allow, host)
	}
	return partner.NewDataService(dir, changes, images)
}

// simulatorURL is the Klarna simulator's address when the client talks to
// it (dev and demos), else nil.
func simulatorURL(kc *klarna.Config) *url.URL {
	if kc == nil || !kc.AllowSimulator {
		return nil
	}
	u, err := url.Parse(kc.GatewayURL)
	if err != nil || u.Host == "" {
		return nil
	}
	return u
}

// simulatorImageOrigins lets the browser show the simulator's demo images.
func simulatorImageOrigins(kc *klarna.Config) []string {
	if u := simulatorURL(kc); u != nil {
		return []string{u.Scheme + "://" + u.Host}
	}
	return nil
}
