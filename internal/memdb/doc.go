// Package memdb is an in-memory DynamoDB for Quorum's fast test tier. It
// implements guregu/dynamo's dynamodbiface.DynamoDBAPI, the interface
// store.New and awsclient.Clients.DynamoDB take, so a core runs on it
// unchanged:
//
//	def := tabledef.MainTable("test")
//	db, err := memdb.NewWithTable(def, memdb.Options{})
//	st := store.New(db, def.Name, signingKey)
//
// Each DB is independent (one per test is cheap: no process, no port) and
// safe for concurrent use; items are deep-copied on the way in and out;
// results are deterministic.
//
// # Faithful to DynamoDB where Quorum depends on it
//
// The contract suite in internal/memdb/contract runs the same calls on
// DynamoDB Local and on memdb and fails on any difference: condition,
// filter, key condition, update and projection expressions (every function
// and operator, reserved words, placeholders, unused names and values,
// overlapping paths, redundant parentheses), numbers as exact decimals of
// 38 digits, sets, ReturnValues and ReturnValuesOnConditionCheckFailure,
// sparse GSIs, Query and Scan with Limit, filters after the limit, Select
// COUNT, ExclusiveStartKey/LastEvaluatedKey on tables and indexes, the 1 MB
// page, segments, batches and their limits, transactions with cancellation
// reasons in order and ClientRequestToken idempotency for ten minutes,
// consumed capacity (TOTAL and INDEXES), table and TTL operations, the
// SDK's typed errors (wrapped in *smithy.OperationError, so errors.As,
// dynamo.IsCondCheckFailed and store's error mapping work unchanged) and
// the SDK's client-side check of required members. internal/store's tests
// run on both too.
//
// Calls are metered like the SDK clients' (metering.Observe: calls and
// consumed capacity reach the metering.Meter of the context) unless
// Options.NoMetering is set.
//
// # Beyond DynamoDB Local
//
//   - Options.Conflicts reproduces AWS's transaction conflicts, which
//     DynamoDB Local never raises: a write transaction stays in flight for
//     Options.Hold between checking its conditions and committing, and a
//     TransactWriteItems or TransactGetItems touching one of its items is
//     cancelled with TransactionConflict; PutItem, UpdateItem, DeleteItem
//     and BatchWriteItem on such an item fail with
//     TransactionConflictException; a retry of its ClientRequestToken gets
//     TransactionInProgressException. Options.Retryer (for example
//     awsclient.NewRetryer()) retries as the SDK's retry middleware would.
//   - Options.Streams keeps the change records of tables created with a
//     stream (Quorum's is): DB.Stream returns them as aws-lambda-go
//     events.DynamoDBEventRecord (INSERT, MODIFY, REMOVE with the images of
//     the StreamViewType; no record for a write that changes nothing), ready
//     to hand to a stream consumer such as the mailer.
//   - DB.SweepTTL deletes expired items when a test asks, as DynamoDB's TTL
//     process eventually does.
//
// # Where DynamoDB Local departs from AWS, memdb follows AWS
//
// The suite records these as known divergences and checks memdb against
// AWS's documented behaviour:
//
//   - Transactions are billed at twice the sum of their items' units;
//     DynamoDB Local adds up only the distinct per-item costs (two 1-unit
//     puts cost 2 there, 4 on AWS).
//   - A Query or Scan page stops after reading 1 MB, before the filter;
//     DynamoDB Local counts only the items that pass the filter.
//   - An error met while applying a transaction's update (an operand of the
//     wrong type, a missing attribute in an expression, an item over 400 KB)
//     cancels it with the reason ValidationError; DynamoDB Local fails the
//     request with a ValidationException.
//   - A transaction with two operations on one item is a
//     ValidationException; DynamoDB Local lets it through when one of its
//     conditions fails, and cancels it instead.
//   - A legacy NE key condition is a ValidationException (Local: HTTP 500);
//     DeleteTable describes the table as DELETING (Local: ACTIVE); deleting
//     a missing item returns no capacity unless asked, and costs 1 unit in a
//     batch (Local: 2).
//
// Where AWS documents nothing and memdb follows DynamoDB Local: size() of a
// string counts UTF-16 code units; arithmetic (SET a = a + :n, ADD) keeps
// the operands' decimal places (0.3 + -0.3 is "0.0") while numbers that
// come in are stored without trailing zeros; a Query or Scan that reads
// nothing, and a missing item in a BatchGetItem, cost no capacity; a
// ConditionCheck costs read units (twice, in a transaction).
//
// # Deliberately not emulated
//
//   - The legacy parameters (Expected, AttributeUpdates, QueryFilter,
//     ScanFilter, AttributesToGet, ConditionalOperator) are refused with a
//     ValidationException; only KeyConditions is supported, because
//     guregu/dynamo sends it. PartiQL is not in the interface.
//   - Local secondary indexes, UpdateTable beyond BillingMode and
//     StreamSpecification, global tables, backups, PITR, throttling and
//     partition limits, item collection metrics.
//   - Eventual consistency: every read sees the latest write (an
//     eventually consistent read still costs half).
//   - Order where DynamoDB leaves it unspecified: a Scan walks partitions
//     in the byte order of their keys (DynamoDB: hash order), items tying on
//     an index sort key come in table-key order (DynamoDB Local: a hash),
//     BatchGetItem returns items in request order. Tests must not depend on
//     these orders on any backend.
//   - BatchWriteItem never leaves UnprocessedItems (BatchGetItem does past
//     16 MB, as on AWS); with Conflicts, a BatchWriteItem touching an item of
//     a transaction in flight fails as a whole.
//   - Expired items stay until deleted or swept (on AWS they may linger up
//     to two days; store.Get already treats them as gone).
//   - Size-based rules (400 KB items, capacity units, the 1 MB page) use
//     DynamoDB's published size formula; an item within a few bytes of a
//     boundary may round differently than on AWS.
package memdb
