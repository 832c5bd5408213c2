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
	if kc != nil && kc.AllowSimulator {
		if u, err := url.Parse(kc.GatewayURL); err == nil && u.Host != "" {
			host := u.Host
			if u.Port() == "" {
				host += map[string]string{"https": ":443"}[u.Scheme] + map[string]string{"http": ":80"}[u.Scheme]
			}
			images.Allow = append(images.Allow, host)
		}
	}
	return partner.NewDataService(dir, changes, images)
}
