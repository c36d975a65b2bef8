package recovery

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/quorum-app/quorum/internal/tabledef"
)

// EraseDB is what erasing a group needs of DynamoDB.
type EraseDB interface {
	DynamoDB
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// GroupEraser erases a deleted group for good (#16, the scheduler's step
// after the grace period; group.GroupEraser): every item a restore would
// bring back (the same list, collect: the group with its subgroups,
// threads and their histories, polls and ballots, files' items, tags and
// their index, templates, held mail, memberships, invitations, requests,
// mail rules, the handle), each attachment's object with ALL its versions
// and delete markers in the versioned uploads bucket, and the groups'
// records of actions (AUDIT#<gid>) and comment-removal jobs
// (REMOVAL#<gid>), and fan-out jobs still pending about them. The group's own item goes last, so an interrupted
// erasure finds the group again and goes on. Items in people's own
// partitions (notifications, read positions, levels) are theirs and expire
// on their own.
type GroupEraser struct {
	DB     EraseDB
	Table  string
	S3     S3
	Bucket string
	// Batch bounds the items (and their objects) one call deletes.
	Batch int
}

// extraPrefixes are partitions of a group that a restore does not copy
// back but an erasure removes.
var extraPrefixes = []string{"AUDIT#", "REMOVAL#"}

// fanoutQueue is GSI2PK of pending fan-out jobs (notify.FanoutQueue).
const fanoutQueue = "FANOUT"

// EraseGroup deletes one batch; done once the group's item is gone (in
// the call that deletes it, or any call after). Each
// call lists what is left again (a read of the group's partitions), so a
// batch repeated after a crash deletes nothing twice.
func (e *GroupEraser) EraseGroup(ctx context.Context, gid string) (bool, error) {
	c, err := collect(ctx, e.DB, e.Table, Scope{GroupID: gid})
	if errors.Is(err, ErrNotInTable) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	budget := e.Batch
	if budget <= 0 {
		budget = 500
	}
	// Everything but the groups' own items and handles (the last ones).
	groupsAt := len(c.items)
	for i, it := range c.items {
		if sk := str(it, tabledef.SK); sk == groupSK || strings.HasPrefix(str(it, tabledef.PK), handlePrefix) {
			groupsAt = i
			break
		}
	}
	for _, it := range c.items[:groupsAt] {
		if budget == 0 {
			return false, nil
		}
		budget--
		if err := e.eraseItem(ctx, it); err != nil {
			return false, err
		}
	}
	// The records of actions and removal jobs of each group, then the
	// groups themselves (subgroups first, the deleted group last).
	for _, g := range c.groups {
		for _, p := range extraPrefixes {
			items, err := partition(ctx, e.DB, e.Table, p+g)
			if err != nil {
				return false, err
			}
			for _, it := range items {
				if budget == 0 {
					return false, nil
				}
				budget--
				if err := e.eraseItem(ctx, it); err != nil {
					return false, err
				}
			}
		}
	}
	// Fan-out jobs still pending about the groups (normally none: a job
	// lives seconds; never copied back by a restore).
	jobs, err := indexPartition(ctx, e.DB, e.Table, tabledef.GSI2, tabledef.GSI2PK, fanoutQueue)
	if err != nil {
		return false, err
	}
	for _, it := range jobs {
		if !slices.Contains(c.groups, str(it, "GroupID")) {
			continue
		}
		if budget == 0 {
			return false, nil
		}
		budget--
		if err := e.eraseItem(ctx, it); err != nil {
			return false, err
		}
	}
	for _, it := range c.items[groupsAt:] {
		if budget == 0 {
			return false, nil
		}
		budget--
		if err := e.eraseItem(ctx, it); err != nil {
			return false, err
		}
	}
	return true, nil // everything listed is gone, the group's item last
}

// eraseItem deletes one item, after every version of its object for a
// FILE# item.
func (e *GroupEraser) eraseItem(ctx context.Context, it Item) error {
	if strings.HasPrefix(str(it, tabledef.SK), filePrefix) {
		if key := str(it, "Key"); key != "" {
			if err := e.eraseObject(ctx, key); err != nil {
				return err
			}
		}
	}
	_, err := e.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(e.Table), Key: map[string]types.AttributeValue{
		tabledef.PK: it[tabledef.PK], tabledef.SK: it[tabledef.SK]}})
	return err
}

// eraseObject deletes every version and delete marker of key.
func (e *GroupEraser) eraseObject(ctx context.Context, key string) error {
	o := &Objects{S3: e.S3, Bucket: e.Bucket}
	vs, ms, err := o.versions(ctx, key)
	if err != nil {
		return err
	}
	var ids []*string
	for _, v := range vs {
		ids = append(ids, v.VersionId)
	}
	for _, m := range ms {
		ids = append(ids, m.VersionId)
	}
	for _, id := range ids {
		_, err := e.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(e.Bucket), Key: aws.String(key), VersionId: id})
		if err != nil && !notFound(err) {
			return err
		}
	}
	return nil
}
