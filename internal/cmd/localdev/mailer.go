package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/quorum-app/quorum/internal/app"
)

// mailerEvery is how often make dev sweeps the outbox. In the cloud the
// table's stream invokes functions/mailer at once; locally a short sweep
// gives the same promptness without a stream poller.
const mailerEvery = 2 * time.Second

// runMailer delivers due notification email to the SES emulator until ctx
// ends (make dev's stand-in for functions/mailer).
func runMailer(ctx context.Context, a *app.API) {
	if a.Outbox == nil {
		return
	}
	t := time.NewTicker(mailerEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			r, err := a.Outbox.DeliverDue(ctx, now)
			if err != nil && ctx.Err() == nil {
				fmt.Fprintf(os.Stderr, "mailer: %v\n", err)
			}
			if r.Sent+r.Dead > 0 {
				fmt.Printf("mailer: sent %d emails (dead %d), see the SES emulator\n", r.Sent, r.Dead)
			}
		}
	}
}
