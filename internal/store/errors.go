package store

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/quorum-app/quorum/internal/domain"
)

// Retry-After values of the storage errors Classify returns: how long a
// client should wait before sending the same request again.
const (
	// RetryBusy follows throttling and contention: capacity returns within
	// a second or two.
	RetryBusy = time.Second
	// RetryDown follows a timeout or an unreachable table: long enough not
	// to hammer a recovering service, short enough to notice it is back.
	RetryDown = 2 * time.Second
)

// Classify is Quorum's one mapping of storage failures (DynamoDB, and S3
// where a core uses it) to domain errors. Every package that talks to the
// table passes the errors of its calls through it; the HTTP adapter applies
// it again to anything that reaches it unmapped.
//
//   - domain errors pass unchanged;
//   - throttling (ProvisionedThroughputExceeded, ThrottlingException,
//     RequestLimitExceeded, a throttled transaction), contention (a
//     transaction cancelled by TransactionConflict, a single write on an
//     item a transaction holds, TransactionInProgress)
//     and service-side 5xx: Unavailable "storage is busy", RetryBusy;
//   - timeouts (the call's budget, the request's deadline, a cancelled
//     request, a per-attempt timeout) and an unreachable service (connection
//     refused or reset, DNS failure, a connection closed mid-answer, the
//     SDK's retry quota spent during an outage): Unavailable, RetryDown;
//   - a failed condition of a single write: Conflict (callers that know
//     what the condition meant map it first, to their own error);
//   - anything else (validation errors, a missing table: bugs): Internal.
//
// Unavailable means "nothing is known to have changed: send the same
// request again after Retry-After"; Conflict means the state really is not
// what the request expected. The cause is kept for the logs only.
func Classify(err error) error {
	if err == nil {
		return nil
	}
	var de *domain.Error
	if errors.As(err, &de) {
		return err
	}
	if dynamoCode(err) == "ConditionalCheckFailedException" {
		return domain.Wrap(domain.Conflict, err, "a condition of this change no longer holds")
	}
	switch failureOf(err) {
	case busy:
		return &domain.Error{Code: domain.Unavailable, Message: "storage is busy; try again shortly", RetryAfter: RetryBusy, Err: err}
	case slow:
		return &domain.Error{Code: domain.Unavailable, Message: "storage did not answer in time; try again shortly", RetryAfter: RetryDown, Err: err}
	case down:
		return &domain.Error{Code: domain.Unavailable, Message: "storage is unreachable; try again shortly", RetryAfter: RetryDown, Err: err}
	}
	return domain.Wrap(domain.Internal, err, "storage failure")
}

// ClassifyCond is Classify for a single conditional write whose failed
// condition has a meaning the caller names: onCond.
func ClassifyCond(err, onCond error) error {
	if err != nil && dynamoCode(err) == "ConditionalCheckFailedException" {
		return onCond
	}
	return Classify(err)
}

// Contention reports whether err is a transaction cancelled only because
// another transaction was writing the same items: the caller may re-read
// and try again at once (a lost race, not an outage).
func Contention(err error) bool {
	var te *types.TransactionCanceledException
	if !errors.As(err, &te) {
		return false
	}
	seen := false
	for _, r := range te.CancellationReasons {
		switch code(r.Code) {
		case "TransactionConflict":
			seen = true
		case "", "None":
		default:
			return false
		}
	}
	return seen
}

type failure int

const (
	other failure = iota
	busy
	slow
	down
)

var busyCodes = map[string]bool{
	"ProvisionedThroughputExceededException": true, "ThrottlingException": true, "RequestLimitExceeded": true,
	"TransactionInProgressException": true, "TransactionConflictException": true, "InternalServerError": true, "ServiceUnavailable": true,
	"LimitExceededException": true, "SlowDown": true, "RequestTimeout": true, "RequestTimeoutException": true,
}

func failureOf(err error) failure {
	c := dynamoCode(err)
	if busyCodes[c] {
		return busy
	}
	var te *types.TransactionCanceledException
	if errors.As(err, &te) {
		for _, r := range te.CancellationReasons {
			switch code(r.Code) {
			case "ThrottlingError", "ProvisionedThroughputExceeded", "TransactionConflict":
				return busy
			}
		}
		return other
	}
	if c != "" {
		var status interface{ HTTPStatusCode() int }
		if errors.As(err, &status) && status.HTTPStatusCode() >= 500 {
			return busy
		}
		return other
	}
	var quota ratelimit.QuotaExceededError
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return slow
	case errors.As(err, &quota):
		return down
	}
	var dns *net.DNSError
	var timeout interface{ Timeout() bool }
	var conn interface{ ConnectionError() bool }
	switch {
	case errors.As(err, &dns):
		return down
	case errors.As(err, &timeout) && timeout.Timeout():
		return slow
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed):
		return down
	case errors.As(err, &conn) && conn.ConnectionError():
		return down
	}
	var status interface{ HTTPStatusCode() int }
	if errors.As(err, &status) && status.HTTPStatusCode() >= 500 {
		return busy
	}
	return other
}

// dynamoCode is the error code the service answered with ("" when the
// call failed before an answer).
func dynamoCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func code(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
