// Package localstream reads the table's stream on DynamoDB Local (make dev
// and tests) into the consumers functions/mailer runs in the cloud
// (internal/cores/consumers). It is a package of its own so that no
// deployed function links the DynamoDB Streams client (internal/stream/poll):
// Lambda's event source mapping hands the mailer its records.
package localstream

import (
	"context"
	"log/slog"
	"time"

	"github.com/quorum-app/quorum/internal/cores/consumers"
	"github.com/quorum-app/quorum/internal/stream/poll"
)

// Poll reads the stream of w's table (DynamoDB Local under make dev and in
// tests) into consumers.Dispatcher until ctx ends.
func Poll(ctx context.Context, w consumers.Wired, log *slog.Logger) error {
	a := w.Wired()
	arn, err := poll.StreamARN(ctx, a.Clients.DynamoDB, a.Config.Table)
	if err != nil {
		return err
	}
	p := &poll.Poller{Streams: poll.NewStreamsClient(a.Clients.AWS, a.Config.DynamoDBEndpoint), StreamARN: arn,
		Handler: consumers.Dispatcher(a, log), Log: log, Idle: 100 * time.Millisecond}
	return p.Run(ctx)
}
