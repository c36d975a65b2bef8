// Package consumers lists every consumer of the table's stream, wired to
// the application: functions/mailer runs them behind the event source
// mapping, make dev and tests behind internal/cores/consumers/localstream
// on DynamoDB Local. It is a package of its own so that functions/api,
// which never reads the stream, does not link the consumers.
//
// The mapping's filter (infra/stack, wireStream) lets through only records
// some consumer here wants: keep the two in step.
package consumers

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/quorum-app/quorum/internal/audit"
	"github.com/quorum-app/quorum/internal/cores/corebase"
	"github.com/quorum-app/quorum/internal/notify"
	"github.com/quorum-app/quorum/internal/search"
	"github.com/quorum-app/quorum/internal/stream"
)

// Wired are the shared cores the consumers act through: the mailer's
// (internal/cores/mailer) or the whole set of internal/cores.Cores.
type Wired interface{ Wired() *corebase.Base }

// Dispatcher returns the stream dispatcher over a's consumers: the outbox
// (notification email), the search indexer, the audit record's sealer and
// the fan-out of notifications to a group.
func Dispatcher(w Wired, log *slog.Logger) *stream.Dispatcher {
	a := w.Wired()
	return stream.New(log,
		stream.Named{Name: "mailer", Consumer: notify.StreamConsumer{Out: a.Outbox, Log: log, Now: time.Now}},
		stream.Named{Name: "search", Consumer: search.NewIndexer(a.Search.Index, log)},
		stream.Named{Name: "audit", Consumer: audit.StreamConsumer{Audit: a.Audit}},
		stream.Named{Name: "fanout", Consumer: notify.FanoutConsumer{Fanouts: a.Fanouts}},
	)
}

// Backfill indexes every item of a's table as it is now (a deployment that
// had content before search, or a repair): a paged Scan, each page's items
// through the indexer, which skips what it does not follow and what is
// already indexed at that version. It returns the items scanned.
func Backfill(ctx context.Context, w Wired, log *slog.Logger) (int, error) {
	a := w.Wired()
	x := search.NewIndexer(a.Search.Index, log)
	in := &dynamodb.ScanInput{TableName: aws.String(a.Config.Table)}
	n := 0
	for {
		out, err := a.Clients.DynamoDB.Scan(ctx, in)
		if err != nil {
			return n, err
		}
		for _, it := range out.Items {
			if err := x.IndexItem(ctx, it); err != nil {
				return n, err
			}
		}
		n += len(out.Items)
		if len(out.LastEvaluatedKey) == 0 {
			return n, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}
