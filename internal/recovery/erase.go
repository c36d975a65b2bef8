package recovery

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/quorum-app/quorum/internal/group"
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
// (REMOVAL#<gid>), and fan-out jobs still pending about them; then the
// members' notifications about the groups (Notes; each membership leaves a
// visit, GROUPERASE#<gid> / VISIT#<uid>, before it is deleted, so a resumed
// run still knows whom to visit) and what other cores keep about each
// group (Owners: exports, search statistics). The group's own item goes
// last, so an interrupted erasure finds the group again and goes on. Read
// positions and notification levels in people's own partitions are theirs
// and are erased with their account.
type GroupEraser struct {
	DB     EraseDB
	Table  string
	S3     S3
	Bucket string
	// Batch bounds the items (and their objects) one call deletes.
	Batch int
	// Notes erases the members' notifications about the group (nil: they
	// expire on their own).
	Notes GroupNotes
	// Owners erase what other cores keep about a group, each in bounded
	// steps.
	Owners []GroupOwned
}

// GroupNotes erases one member's notifications about erased groups, a page
// at a time (notify.Service).
type GroupNotes interface {
	EraseGroupNotifications(ctx context.Context, uid string, gids []string, after string, limit int) (next string, deleted int, err error)
}

// GroupOwned erases, a bounded step a call, what another core keeps about
// one group (done when nothing is left).
type GroupOwned interface {
	EraseGroup(ctx context.Context, gid string) (done bool, err error)
}

const (
	visitPrefix = "GROUPERASE#" // the members of an erased group still to visit
	visitSK     = "VISIT#"
	// visitPage bounds the notifications one visit step reads.
	visitPage = 100
)

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
		if err := e.noteVisit(ctx, gid, it, c.groups); err != nil {
			return false, err
		}
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
	// The members' notifications about the groups, then what other cores
	// keep about each group.
	if done, err := e.visit(ctx, gid, &budget); err != nil || !done {
		return false, err
	}
	for _, g := range c.groups {
		for _, o := range e.Owners {
			if budget == 0 {
				return false, nil
			}
			budget--
			done, err := o.EraseGroup(ctx, g)
			if err != nil || !done {
				return false, err
			}
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
	for _, v := range append(vs, ms...) {
		err := e.S3.DeleteObject(ctx, e.Bucket, key, v.VersionID)
		if err != nil && !notFound(err) {
			return err
		}
	}
	return nil
}

// noteVisit records, before a membership item is deleted, that its member
// is to be visited (their notifications about groups erased). Putting it
// again after a crash changes nothing that matters (the visits begin once
// every membership is gone).
func (e *GroupEraser) noteVisit(ctx context.Context, gid string, it Item, groups []string) error {
	_, uid, ok := group.MembershipOf(str(it, tabledef.PK), str(it, tabledef.SK))
	if e.Notes == nil || !ok || uid == "" {
		return nil
	}
	return e.putVisit(ctx, gid, uid, groups, "")
}

func (e *GroupEraser) putVisit(ctx context.Context, gid, uid string, groups []string, after string) error {
	gs := make([]types.AttributeValue, 0, len(groups))
	for _, g := range groups {
		gs = append(gs, &types.AttributeValueMemberS{Value: g})
	}
	it := Item{
		tabledef.PK: &types.AttributeValueMemberS{Value: visitPrefix + gid},
		tabledef.SK: &types.AttributeValueMemberS{Value: visitSK + uid},
		"Type":      &types.AttributeValueMemberS{Value: "group_erase_visit"},
		"UserID":    &types.AttributeValueMemberS{Value: uid},
		"Groups":    &types.AttributeValueMemberL{Value: gs},
	}
	if after != "" {
		it["After"] = &types.AttributeValueMemberS{Value: after}
	}
	_, err := e.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(e.Table), Item: it})
	return err
}

// visit erases the notifications of the members still to visit, within
// budget (each page read counts, and each notification deleted); done when
// no visit is left.
func (e *GroupEraser) visit(ctx context.Context, gid string, budget *int) (bool, error) {
	if e.Notes == nil {
		return true, nil
	}
	for *budget > 0 {
		out, err := e.DB.Query(ctx, &dynamodb.QueryInput{
			TableName:                 aws.String(e.Table),
			KeyConditionExpression:    aws.String("#pk = :pk"),
			ExpressionAttributeNames:  map[string]string{"#pk": tabledef.PK},
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: visitPrefix + gid}},
			Limit:                     aws.Int32(int32(min(*budget, 25))),
			ConsistentRead:            aws.Bool(true),
		})
		if err != nil {
			return false, err
		}
		if len(out.Items) == 0 {
			return true, nil
		}
		for _, v := range out.Items {
			if *budget <= 0 {
				return false, nil
			}
			uid := str(v, "UserID")
			var groups []string
			if l, ok := v["Groups"].(*types.AttributeValueMemberL); ok {
				for _, g := range l.Value {
					if s, ok := g.(*types.AttributeValueMemberS); ok {
						groups = append(groups, s.Value)
					}
				}
			}
			next, n, err := e.Notes.EraseGroupNotifications(ctx, uid, groups, str(v, "After"), min(*budget, visitPage))
			if err != nil {
				return false, err
			}
			*budget -= max(1, n)
			if next != "" {
				if err := e.putVisit(ctx, gid, uid, groups, next); err != nil {
					return false, err
				}
				continue
			}
			if _, err := e.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(e.Table), Key: map[string]types.AttributeValue{
				tabledef.PK: v[tabledef.PK], tabledef.SK: v[tabledef.SK]}}); err != nil {
				return false, err
			}
		}
	}
	return false, nil
}
