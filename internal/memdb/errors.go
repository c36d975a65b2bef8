package memdb

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// The errors are the SDK's own types, so code that inspects errors with
// errors.As (dynamo.IsCondCheckFailed, store's error mapping, the SDK's
// retryer) treats them exactly as it treats DynamoDB's. Each is wrapped in a
// *smithy.OperationError naming the operation, as the SDK does.

func opError(op string, err error) error {
	if err == nil {
		return nil
	}
	return &smithy.OperationError{ServiceID: "DynamoDB", OperationName: op, Err: err}
}

// validation is DynamoDB's ValidationException (HTTP 400), which the SDK
// surfaces as a smithy.GenericAPIError.
func validation(format string, args ...any) error {
	return &smithy.GenericAPIError{Code: "ValidationException", Message: fmt.Sprintf(format, args...), Fault: smithy.FaultClient}
}

// invalidParam is the most common ValidationException wording.
func invalidParam(format string, args ...any) error {
	return validation("One or more parameter values were invalid: "+format, args...)
}

func notFound() error {
	return &types.ResourceNotFoundException{Message: aws.String("Requested resource not found")}
}

func tableNotFound(name string) error {
	return &types.ResourceNotFoundException{Message: aws.String("Requested resource not found: Table: " + name + " not found")}
}

func condFailed(old Item) error {
	return &types.ConditionalCheckFailedException{Message: aws.String("The conditional request failed"), Item: old}
}

func txConflict() error {
	return &types.TransactionConflictException{Message: aws.String("Transaction is ongoing for the item")}
}

func canceled(reasons []types.CancellationReason) error {
	codes := make([]string, len(reasons))
	for i, r := range reasons {
		codes[i] = aws.ToString(r.Code)
	}
	return &types.TransactionCanceledException{
		Message:             aws.String("Transaction cancelled, please refer cancellation reasons for specific reasons [" + strings.Join(codes, ", ") + "]"),
		CancellationReasons: reasons,
	}
}

// exprError is a ValidationException about one of the request's
// expressions; kind names it as DynamoDB does ("ConditionExpression", ...).
func exprError(kind, format string, args ...any) error {
	return validation("Invalid "+kind+": "+format, args...)
}

// runtimeError marks a ValidationException found while applying an
// expression to an item (as opposed to parsing it): inside a transaction
// DynamoDB reports these as a cancellation reason "ValidationError".
type runtimeError struct{ err error }

func (e runtimeError) Error() string { return e.err.Error() }
func (e runtimeError) Unwrap() error { return e.err }

func runtimeValidation(format string, args ...any) error {
	return runtimeError{validation(format, args...)}
}
