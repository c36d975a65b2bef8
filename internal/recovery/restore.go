package recovery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/quorum-app/quorum/internal/tabledef"
)

// RestoreInput says what to copy from where to where.
type RestoreInput struct {
	// Source is the restored table (PITR or backup); Target the live one.
	Source, Target string
	Scope          Scope
	// Files, when set, brings back the attachments' objects in the live
	// uploads bucket from their previous versions (see RestoreObject).
	Files *Objects
	// DryRun reports what would happen and writes nothing.
	DryRun bool
	Now    func() time.Time
}

// Outcome of one item.
type Outcome string

// Outcomes.
const (
	// Restored: absent from the live table, copied back.
	Restored Outcome = "restored"
	// Unchanged: the live item equals the restored one.
	Unchanged Outcome = "unchanged"
	// Replaced: the live item carries an older Version than the restored one
	// (it was rolled back); replaced, conditioned on that Version.
	Replaced Outcome = "replaced"
	// Kept: the live item changed since the restore point (a newer or equal
	// Version, or different content without one); never overwritten.
	Kept Outcome = "kept"
	// Expired: past its TTL in the restored table; not copied.
	Expired Outcome = "expired"
)

// Conflict is a live item the restore did not overwrite.
type Conflict struct {
	Key    Key    `json:"key"`
	Entity string `json:"entity"`
	// Why it was kept, in words.
	Why string `json:"why"`
}

// RestoreReport says what came back.
type RestoreReport struct {
	Source  string   `json:"source"`
	Target  string   `json:"target"`
	Scope   string   `json:"scope"`
	DryRun  bool     `json:"dryRun"`
	Groups  []string `json:"groups"`
	Threads []string `json:"threads"`
	Polls   []string `json:"polls"`
	// Counts per outcome, and per entity and outcome.
	Counts   map[Outcome]int            `json:"counts"`
	ByEntity map[string]map[Outcome]int `json:"byEntity"`
	Kept     []Conflict                 `json:"kept,omitempty"`
	Files    *FilesReport               `json:"files,omitempty"`
}

// FilesReport is what happened to the attachments' objects.
type FilesReport struct {
	Bucket string `json:"bucket"`
	// Present: the current version was there; Undeleted: brought back from
	// the previous version; Lost: no previous version is left (older than
	// the bucket's noncurrent-version retention).
	Present   int      `json:"present"`
	Undeleted []string `json:"undeleted,omitempty"`
	Lost      []string `json:"lost,omitempty"`
}

// restoreWorkers bounds parallel writes (the live table serves users).
const restoreWorkers = 4

// Restore copies the items of in.Scope from in.Source into in.Target: items
// missing from the target are put (conditioned on still being absent),
// items the target holds in an older Version are replaced (conditioned on
// that Version), and items that changed since are kept and listed. Running
// it again changes nothing more. Then it brings the scope's files back.
func Restore(ctx context.Context, db DynamoDB, in RestoreInput) (*RestoreReport, error) {
	if in.Source == "" || in.Target == "" || in.Source == in.Target {
		return nil, errors.New("name a restored source table and a different live target table")
	}
	now := time.Now
	if in.Now != nil {
		now = in.Now
	}
	src, err := collect(ctx, db, in.Source, in.Scope)
	if err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	keys := make([]Key, len(src.items))
	for i, it := range src.items {
		keys[i] = keyOf(it)
	}
	live, err := getItems(ctx, db, in.Target, keys)
	if err != nil {
		return nil, fmt.Errorf("target: %w", err)
	}
	r := &RestoreReport{Source: in.Source, Target: in.Target, Scope: in.Scope.String(), DryRun: in.DryRun,
		Groups: src.groups, Threads: src.threads, Polls: src.polls,
		Counts: map[Outcome]int{}, ByEntity: map[string]map[Outcome]int{}}
	type write struct {
		it   Item
		cond *int64 // live Version to condition on; nil: must be absent
	}
	var writes []write
	t := now()
	for _, it := range src.items {
		k := keyOf(it)
		cur, exists := live[k]
		var o Outcome
		switch {
		case expired(it, t):
			o = Expired
		case !exists:
			o = Restored
			writes = append(writes, write{it: it})
		case Hash(cur) == Hash(it):
			o = Unchanged
		default:
			lv, lok := num(cur, tabledef.Version)
			sv, sok := num(it, tabledef.Version)
			if lok && sok && lv < sv {
				o = Replaced
				writes = append(writes, write{it: it, cond: &lv})
			} else {
				o = Kept
				r.Kept = append(r.Kept, Conflict{Key: k, Entity: entity(it), Why: keptReason(cur, it, lok, sok, lv, sv)})
			}
		}
		r.count(entity(it), o)
	}
	if !in.DryRun {
		lost, err := putAll(ctx, db, in.Target, writes, func(w write) *dynamodb.PutItemInput {
			p := &dynamodb.PutItemInput{TableName: aws.String(in.Target), Item: w.it}
			if w.cond == nil {
				p.ConditionExpression = aws.String("attribute_not_exists(#pk)")
				p.ExpressionAttributeNames = map[string]string{"#pk": tabledef.PK}
			} else {
				p.ConditionExpression = aws.String("#v = :v")
				p.ExpressionAttributeNames = map[string]string{"#v": tabledef.Version}
				p.ExpressionAttributeValues = map[string]types.AttributeValue{":v": &types.AttributeValueMemberN{Value: fmt.Sprint(*w.cond)}}
			}
			return p
		})
		if err != nil {
			return r, err
		}
		// Items the application wrote between our read and our write won.
		for _, w := range lost {
			o := Restored
			if w.cond != nil {
				o = Replaced
			}
			r.uncount(entity(w.it), o)
			r.count(entity(w.it), Kept)
			r.Kept = append(r.Kept, Conflict{Key: keyOf(w.it), Entity: entity(w.it), Why: "written in the live table while restoring"})
		}
	}
	sort.Slice(r.Kept, func(i, j int) bool { return r.Kept[i].Key.String() < r.Kept[j].Key.String() })
	if in.Files != nil && len(src.files) > 0 {
		fr := &FilesReport{Bucket: in.Files.Bucket}
		for _, key := range src.files {
			res, err := in.Files.Restore(ctx, key, "", in.DryRun)
			if err != nil {
				return r, fmt.Errorf("file %s: %w", key, err)
			}
			switch res.Action {
			case ObjectPresent:
				fr.Present++
			case ObjectUndeleted:
				fr.Undeleted = append(fr.Undeleted, key)
			case ObjectLost:
				fr.Lost = append(fr.Lost, key)
			}
		}
		r.Files = fr
	}
	return r, nil
}

func keptReason(cur, src Item, lok, sok bool, lv, sv int64) string {
	if lok && sok {
		if lv == sv {
			return fmt.Sprintf("changed in the live table without a new version (version %d in both)", lv)
		}
		return fmt.Sprintf("newer in the live table (version %d, restored copy %d)", lv, sv)
	}
	if str(cur, "GroupID") != "" && str(src, "GroupID") != "" && str(cur, "GroupID") != str(src, "GroupID") {
		return "now belongs to group " + str(cur, "GroupID")
	}
	return "changed in the live table since the restore point"
}

func (r *RestoreReport) count(ent string, o Outcome) {
	r.Counts[o]++
	if r.ByEntity[ent] == nil {
		r.ByEntity[ent] = map[Outcome]int{}
	}
	r.ByEntity[ent][o]++
}

func (r *RestoreReport) uncount(ent string, o Outcome) {
	r.Counts[o]--
	r.ByEntity[ent][o]--
}

// putAll writes with a few workers; it returns the writes whose condition
// failed (the live item changed meanwhile).
func putAll[W any](ctx context.Context, db DynamoDB, table string, ws []W, in func(W) *dynamodb.PutItemInput) ([]W, error) {
	var (
		mu    sync.Mutex
		lost  []W
		first error
		wg    sync.WaitGroup
	)
	next := make(chan W)
	for range restoreWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for w := range next {
				_, err := db.PutItem(ctx, in(w))
				var ccf *types.ConditionalCheckFailedException
				mu.Lock()
				switch {
				case errors.As(err, &ccf):
					lost = append(lost, w)
				case err != nil && first == nil:
					first = fmt.Errorf("put into %s: %w", table, err)
				}
				mu.Unlock()
			}
		}()
	}
	for _, w := range ws {
		mu.Lock()
		failed := first != nil
		mu.Unlock()
		if failed {
			break
		}
		next <- w
	}
	close(next)
	wg.Wait()
	return lost, first
}

// Print writes the report for an operator.
func (r *RestoreReport) Print(w io.Writer) {
	verb := "Restored"
	if r.DryRun {
		verb = "Dry run (nothing written): would restore"
	}
	fmt.Fprintf(w, "%s %s from %s into %s\n", verb, r.Scope, r.Source, r.Target)
	fmt.Fprintf(w, "  groups %d, threads %d, polls %d\n", len(r.Groups), len(r.Threads), len(r.Polls))
	fmt.Fprintf(w, "  items: %d restored, %d replaced (older in live), %d unchanged, %d kept (changed in live), %d expired\n",
		r.Counts[Restored], r.Counts[Replaced], r.Counts[Unchanged], r.Counts[Kept], r.Counts[Expired])
	ents := make([]string, 0, len(r.ByEntity))
	for e := range r.ByEntity {
		ents = append(ents, e)
	}
	sort.Strings(ents)
	fmt.Fprintf(w, "  %-24s %9s %9s %9s %9s %9s\n", "entity", "restored", "replaced", "unchanged", "kept", "expired")
	for _, e := range ents {
		c := r.ByEntity[e]
		fmt.Fprintf(w, "  %-24s %9d %9d %9d %9d %9d\n", e, c[Restored], c[Replaced], c[Unchanged], c[Kept], c[Expired])
	}
	if len(r.Kept) > 0 {
		fmt.Fprintf(w, "  kept in the live table (not overwritten):\n")
		for i, c := range r.Kept {
			if i == 50 {
				fmt.Fprintf(w, "    ... and %d more (use -json for all)\n", len(r.Kept)-50)
				break
			}
			fmt.Fprintf(w, "    %s (%s): %s\n", c.Key, c.Entity, c.Why)
		}
	}
	if f := r.Files; f != nil {
		fmt.Fprintf(w, "  files in %s: %d present, %d undeleted, %d lost\n", f.Bucket, f.Present, len(f.Undeleted), len(f.Lost))
		for _, k := range f.Lost {
			fmt.Fprintf(w, "    lost (no previous version left; try the DR replica bucket): %s\n", k)
		}
	}
	if strings.HasPrefix(r.Scope, "group") && r.Counts[Restored]+r.Counts[Replaced] > 0 && !r.DryRun {
		fmt.Fprintf(w, "  people's own items (read positions, notification settings) were not touched\n")
	}
}
