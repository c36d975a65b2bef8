package store_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/quorum-app/quorum/internal/awsclient"
	"github.com/quorum-app/quorum/internal/domain"
	"github.com/quorum-app/quorum/internal/store"
)

func reasons(codes ...string) *types.TransactionCanceledException {
	te := &types.TransactionCanceledException{Message: aws.String("cancelled")}
	for _, c := range codes {
		te.CancellationReasons = append(te.CancellationReasons, types.CancellationReason{Code: aws.String(c)})
	}
	return te
}

// sdk wraps err the way the SDK returns it from a call that used up its attempts.
func sdk(op string, err error) error {
	return &smithy.OperationError{ServiceID: "DynamoDB", OperationName: op, Err: &retry.MaxAttemptsError{Attempt: 3, Err: err}}
}

// The one classification: what is retryable is Unavailable with a
// Retry-After, what says the state differs is Conflict, the rest Internal.
func TestClassify(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	taken := domain.Errorf(domain.Conflict, "that handle is taken")
	for _, c := range []struct {
		name  string
		err   error
		code  domain.Code
		retry time.Duration
	}{
		{"nil", nil, "", 0},
		{"domain errors pass", taken, domain.Conflict, 0},
		{"throttled", sdk("GetItem", &smithy.GenericAPIError{Code: "ThrottlingException"}), domain.Unavailable, store.RetryBusy},
		{"over provisioned throughput", sdk("PutItem", &types.ProvisionedThroughputExceededException{}), domain.Unavailable, store.RetryBusy},
		{"request limit", sdk("Query", &types.RequestLimitExceeded{}), domain.Unavailable, store.RetryBusy},
		{"internal server error", sdk("Query", &types.InternalServerError{}), domain.Unavailable, store.RetryBusy},
		{"throttled transaction", sdk("TransactWriteItems", reasons("None", "ThrottlingError")), domain.Unavailable, store.RetryBusy},
		{"transaction conflict", sdk("TransactWriteItems", reasons("TransactionConflict", "None")), domain.Unavailable, store.RetryBusy},
		{"transaction in progress", sdk("TransactWriteItems", &types.TransactionInProgressException{}), domain.Unavailable, store.RetryBusy},
		{"item held by a transaction", sdk("PutItem", &types.TransactionConflictException{}), domain.Unavailable, store.RetryBusy},
		{"budget spent", &smithy.OperationError{Err: &smithy.CanceledError{Err: context.DeadlineExceeded}}, domain.Unavailable, store.RetryDown},
		{"request cancelled", fmt.Errorf("get: %w", context.Canceled), domain.Unavailable, store.RetryDown},
		{"attempt timeout", sdk("GetItem", &smithyhttp.RequestSendError{Err: &url.Error{Op: "Post", URL: "http://ddb", Err: os.ErrDeadlineExceeded}}), domain.Unavailable, store.RetryDown},
		{"connection refused", sdk("GetItem", &smithyhttp.RequestSendError{Err: refused}), domain.Unavailable, store.RetryDown},
		{"connection reset", sdk("GetItem", &smithyhttp.RequestSendError{Err: reset}), domain.Unavailable, store.RetryDown},
		{"no such host", sdk("GetItem", &smithyhttp.RequestSendError{Err: &net.DNSError{Err: "no such host", IsNotFound: true}}), domain.Unavailable, store.RetryDown},
		{"cut off mid-answer", sdk("Query", &smithy.DeserializationError{Err: io.ErrUnexpectedEOF}), domain.Unavailable, store.RetryDown},
		{"retry quota spent", errors.Join(sdk("GetItem", errors.New("boom")), ratelimit.QuotaExceededError{Available: 0, Requested: 5}), domain.Unavailable, store.RetryDown},
		{"failed condition", sdk("PutItem", &types.ConditionalCheckFailedException{}), domain.Conflict, 0},
		{"validation (a bug)", sdk("PutItem", &smithy.GenericAPIError{Code: "ValidationException"}), domain.Internal, 0},
		{"no table (a bug)", sdk("GetItem", &types.ResourceNotFoundException{}), domain.Internal, 0},
		{"anything else", errors.New("boom"), domain.Internal, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := store.Classify(c.err)
			if domain.ErrorCode(got) != c.code {
				t.Fatalf("code %q, want %q (%v)", domain.ErrorCode(got), c.code, got)
			}
			var de *domain.Error
			if c.code != "" && errors.As(got, &de) && de.RetryAfter != c.retry {
				t.Fatalf("Retry-After %s, want %s", de.RetryAfter, c.retry)
			}
		})
	}
	if !store.Contention(sdk("TransactWriteItems", reasons("None", "TransactionConflict"))) ||
		store.Contention(sdk("TransactWriteItems", reasons("ConditionalCheckFailed", "TransactionConflict"))) ||
		store.Contention(sdk("TransactWriteItems", reasons("ThrottlingError"))) {
		t.Fatal("Contention: only a transaction cancelled by concurrent writes alone is a lost race")
	}
}

// A real call to a port where nothing listens (DynamoDB Local not running)
// is Unavailable with a Retry-After, through the store's own calls.
func TestUnreachableTableIsUnavailable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, env := newStore(t)
	cfg := env.Config
	cfg.DynamoDBEndpoint = "http://" + addr
	cl, err := awsclient.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := store.New(cl.DynamoDB, cfg.Table, cfg.SigningKey)
	var n note
	err = s.Get(context.Background(), "NOTEGROUP#x", "NOTE#y", &n)
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.Unavailable || de.RetryAfter < time.Second {
		t.Fatalf("get from a closed port: %v", err)
	}
	if err := s.Create(context.Background(), newNote("x", "y", "z"), nil); domain.ErrorCode(err) != domain.Unavailable {
		t.Fatalf("create on a closed port: %v", err)
	}
}
