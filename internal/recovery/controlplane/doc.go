// Package controlplane holds the recovery steps that call AWS control
// planes rather than the table: the regional failover (Lambda event source
// mappings, EventBridge schedules, the SES receipt rule set, Route 53) and
// restoring the table from point-in-time recovery or an AWS Backup
// recovery point. internal/cmd/recovery drives them; each call is
// printed (and, in a dry run, only printed) through recovery.Calls.
//
// They are a package of their own so that the group eraser of
// internal/recovery, which every function wires, does not link these
// service clients: each linked AWS SDK service costs every cold start its
// package initialisation and megabytes of binary (docs/architecture.md,
// "Cold starts and binary size").
package controlplane
