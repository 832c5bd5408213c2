package klarnasim

import "github.com/partnerdesk/partnerdesk/internal/klarna"

// CategoryAccountWrites is the simulator's bucket for management writes on
// one partner account (its account, business entities, brands, store groups
// and stores). Klarna asks acquirers to send no more than about one update
// per account per second (README §5.3); the number and the 429 it gives are
// UNCONFIRMED. Set it like any category (Options.RateLimits, PUT
// /_sim/rate-limits); a RateLimits map without it leaves such writes to the
// PARTNER_MANAGEMENT bucket alone.
const CategoryAccountWrites = "PARTNER_ACCOUNT_WRITES"

// accountWrites are the operations CategoryAccountWrites paces.
var accountWrites = map[klarna.Operation]bool{
	klarna.OpUpdateAccount:        true,
	klarna.OpCreateBusinessEntity: true,
	klarna.OpUpdateBusinessEntity: true,
	klarna.OpCreateBrand:          true,
	klarna.OpUpdateBrand:          true,
	klarna.OpCreateStoreGroup:     true,
	klarna.OpUpdateStoreGroup:     true,
	klarna.OpCreateStore:          true,
	klarna.OpUpdateStore:          true,
}

// checkAccountWrite paces op on the account of the path.
func (s *Sim) checkAccountWrite(c *rctx) *reply {
	if !accountWrites[c.op] {
		return nil
	}
	id := c.r.PathValue("partner_account_id")
	if id == "" {
		return nil
	}
	return s.limiter.checkOne(CategoryAccountWrites, CategoryAccountWrites+"|account|"+id)
}
