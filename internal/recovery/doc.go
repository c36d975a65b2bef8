// Package recovery holds the operator's recovery tools (docs/deploy.md,
// Runbooks; internal/cmd/recovery is their command line):
//
//   - Verify compares two tables, or one group's items in two tables:
//     counts per entity and a hash per item.
//   - Restore copies one group (with its subgroups, threads, polls, ballots,
//     files' metadata, guests and memberships) or one thread from a restored
//     table into the live one, never overwriting an item that changed since,
//     then brings the files' objects back from their previous versions.
//   - RestoreObject brings back a deleted or overwritten object version.
//   - GroupEraser erases a deleted group after its grace period (every
//     function wires it, through internal/cores).
//
// The AWS-only steps live in the subpackage controlplane, so that the
// functions linking this package do not link their service clients:
// PointInTime and FromBackup (a new table from PITR or from an AWS Backup
// recovery point), thin calls that print what they send, or only print it
// in a dry run; and Failover, which switches the active region of a
// deployment (pilot light): the scheduler and the mailer's stream mapping,
// inbound mail and DNS.
//
// Everything after the AWS-only steps runs against DynamoDB and S3 APIs
// that the local stand-ins implement, and is tested there.
package recovery
