package cli

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/partnerdesk/partnerdesk/internal/audit"
)

// errChainBroken makes `audit verify` exit 1 after it printed the report.
var errChainBroken = errors.New("audit chain verification failed")

func init() {
	Register(&Command{
		Name:    "audit",
		Summary: "Verify the audit trail's hash chain (PARTNERDESK_DATABASE_URL)",
		Usage:   "verify",
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) != 1 || args[0] != "verify" {
				return fmt.Errorf("%w: expected verify", ErrUsage)
			}
			db, err := openDatabase(ctx, env)
			if err != nil {
				return err
			}
			defer db.Close()
			res, err := audit.NewService(db.Audit(), audit.Options{}).Verify(ctx)
			if err != nil {
				return err
			}
			if !res.OK {
				fmt.Fprintf(env.Stdout, "audit chain BROKEN at event #%d: %s\n", res.BrokenAt, res.Reason)
				return errChainBroken
			}
			fmt.Fprintf(env.Stdout, "audit chain OK: %d events\n", res.Checked)
			if res.HeadID > 0 {
				fmt.Fprintf(env.Stdout, "head: event #%d sha256:%s\n", res.HeadID, hex.EncodeToString(res.HeadHash))
			}
			return nil
		},
	})
}
