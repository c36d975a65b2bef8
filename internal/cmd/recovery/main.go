// Command recovery is the operator's tool for the worst day (docs/deploy.md,
// Runbooks). The Makefile wraps each subcommand (make failover, make verify,
// ...); every subcommand takes -dry-run where it changes something and the
// deployment's configuration as the CDK app does: cdk.json context plus
// -c key=value overrides.
//
//	recovery failover | failback | status      switch or show the active region
//	recovery restore-pitr -time T -target NAME  new table from point-in-time recovery
//	recovery restore-backup -target NAME        new table from an AWS Backup recovery point
//	recovery verify -a TABLE -b TABLE           compare two tables (or one group in both)
//	recovery restore-group -from TABLE -group G restore one group (or -thread T) into the live table
//	recovery restore-object -key K              undelete a file (or roll back to -version V)
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/quorum-app/quorum/infra/facts"
	"github.com/quorum-app/quorum/internal/awschain"
	"github.com/quorum-app/quorum/internal/awsclient"
	"github.com/quorum-app/quorum/internal/config"
	"github.com/quorum-app/quorum/internal/localcloud"
	"github.com/quorum-app/quorum/internal/objstore"
	"github.com/quorum-app/quorum/internal/recovery"
	"github.com/quorum-app/quorum/internal/recovery/controlplane"
	"github.com/quorum-app/quorum/internal/tabledef"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: recovery COMMAND [flags] [-c key=value ...]

  failover            make the DR region active (pilot light on, primary idle)
  failback            make the primary region active again
  status              show which region runs the scheduler and the mailer, and where DNS points
  restore-pitr        restore the table to a point in time, into a new table
  restore-backup      restore the table from an AWS Backup recovery point, into a new table
  verify              compare two tables: counts per entity, a hash per item
  restore-group       copy one group (or one thread) from a restored table into the live one
  restore-object      bring back a deleted file, or an earlier version of it

Run "recovery COMMAND -h" for the flags of a command. Exit status: 0 done,
1 failed, 2 bad usage, 3 done with differences or parts left undone.`

// contextFlags collects -c key=value, as the CDK CLI takes them.
type contextFlags map[string]string

func (c contextFlags) String() string { return "" }
func (c contextFlags) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return fmt.Errorf("-c wants key=value, got %q", v)
	}
	c[k] = val
	return nil
}

// common are the flags every command has.
type common struct {
	ctx    contextFlags
	region string
	dryRun bool
	asJSON bool
	ddbURL string
	s3URL  string
	stdout io.Writer
	stderr io.Writer
	cfg    facts.Config
	cache  map[string]*awsclient.Clients
}

func (c *common) register(fs *flag.FlagSet, dryRun bool) {
	fs.Var(c.ctx, "c", "configuration override key=value (as for cdk), repeatable")
	fs.StringVar(&c.region, "region", "", "region to work in (default: see the command)")
	fs.BoolVar(&c.asJSON, "json", false, "print the report as JSON")
	fs.StringVar(&c.ddbURL, "dynamodb-endpoint", "", "DynamoDB endpoint (local stand-in: make dev's DynamoDB Local)")
	fs.StringVar(&c.s3URL, "s3-endpoint", "", "S3 endpoint (local stand-in: make dev's versitygw)")
	if dryRun {
		fs.BoolVar(&c.dryRun, "dry-run", false, "print every call that would change something, change nothing")
	}
}

func (c *common) local() bool { return c.ddbURL != "" || c.s3URL != "" }

// load reads cdk.json's context from the repository and the -c overrides.
func (c *common) load(ctx context.Context) error {
	wd, _ := os.Getwd()
	doc := map[string]any{}
	if root, err := localcloud.FindRoot(wd); err == nil {
		raw, err := os.ReadFile(filepath.Join(root, "cdk.json"))
		if err != nil {
			return err
		}
		var cdk struct {
			Context map[string]any `json:"context"`
		}
		if err := json.Unmarshal(raw, &cdk); err != nil {
			return fmt.Errorf("cdk.json: %w", err)
		}
		doc = cdk.Context
	}
	for k, v := range c.ctx {
		doc[k] = v
	}
	if acct, _ := doc["account"].(string); acct == "" {
		switch {
		case c.local():
			doc["account"] = "000000000000"
		default:
			ac, err := c.aws(ctx, "us-east-1")
			if err != nil {
				return err
			}
			id, err := sts.NewFromConfig(ac).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if err != nil {
				return fmt.Errorf("no -c account=... and no AWS credentials to find it: %w", err)
			}
			doc["account"] = aws.ToString(id.Account)
		}
	}
	cfg, err := facts.Load(func(k string) any { return doc[k] })
	if err != nil {
		return err
	}
	c.cfg = cfg
	return nil
}

// clients are the SDK clients of region, built as the application builds
// them (internal/awsclient): the local stand-ins' endpoints and credentials
// with -dynamodb-endpoint / -s3-endpoint.
func (c *common) clients(ctx context.Context, region string) (*awsclient.Clients, error) {
	if cl, ok := c.cache[region]; ok {
		return cl, nil
	}
	cfg := config.Config{Env: "cloud", Region: region}
	if c.local() {
		cfg.Env, cfg.DynamoDBEndpoint, cfg.S3Endpoint = "local", c.ddbURL, c.s3URL
	}
	cl, err := awschain.New(ctx, cfg)
	if err != nil {
		return nil, err
	}
	c.cache[region] = cl
	return cl, nil
}

func (c *common) aws(ctx context.Context, region string) (aws.Config, error) {
	cl, err := c.clients(ctx, region)
	if err != nil {
		return aws.Config{}, err
	}
	return cl.AWS, nil
}

// loadForAWS loads the configuration and checks that AWS credentials exist.
func (c *common) loadForAWS(ctx context.Context) error {
	if err := c.load(ctx); err != nil {
		return err
	}
	return c.requireCredentials(ctx)
}

// side is the failover's clients of one region.
func (c *common) side(ctx context.Context, region string) (controlplane.Region, error) {
	ac, err := c.aws(ctx, region)
	if err != nil {
		return controlplane.Region{}, err
	}
	r := controlplane.Region{Name: region, Lambda: lambda.NewFromConfig(ac), Scheduler: scheduler.NewFromConfig(ac),
		APIs: apigatewayv2.NewFromConfig(ac)}
	if c.cfg.MailEnabled() && facts.ReceivesMail(region) {
		r.Receipt = ses.NewFromConfig(ac)
	}
	return r, nil
}

// requireCredentials fails early, and says so, when no AWS credentials are
// found (rather than every call failing as if a region were down).
func (c *common) requireCredentials(ctx context.Context) error {
	if c.local() {
		return nil
	}
	ac, err := c.aws(ctx, c.cfg.PrimaryRegion)
	if err != nil {
		return err
	}
	if _, err := ac.Credentials.Retrieve(ctx); err != nil {
		return fmt.Errorf("no AWS credentials (set AWS_PROFILE, or run on a host with a role): %w", err)
	}
	return nil
}

func (c *common) dynamo(ctx context.Context, region string) (*dynamodb.Client, error) {
	cl, err := c.clients(ctx, region)
	if err != nil {
		return nil, err
	}
	// Restores call control-plane APIs (PITR, backups) that only the SDK's
	// client has; the in-memory DynamoDB of the fast tests never gets here.
	db, ok := cl.DynamoDB.(*dynamodb.Client)
	if !ok {
		return nil, fmt.Errorf("the recovery tools need the AWS SDK's DynamoDB client")
	}
	return db, nil
}

func (c *common) s3(ctx context.Context, region string) (*objstore.Client, error) {
	cl, err := c.clients(ctx, region)
	if err != nil {
		return nil, err
	}
	return cl.S3, nil
}

func (c *common) calls() recovery.Calls { return recovery.Calls{Out: c.stdout, DryRun: c.dryRun} }

// regionOr is -region, or def.
func (c *common) regionOr(def string) string {
	if c.region != "" {
		return c.region
	}
	return def
}

func (c *common) printJSON(v any) {
	b, _ := json.MarshalIndent(v, "", "  ")
	fmt.Fprintln(c.stdout, string(b))
}

// errUsage marks bad flags (exit 2); errPartial a report with differences or
// unfinished parts (exit 3).
var (
	errUsage   = errors.New("usage")
	errPartial = errors.New("partial")
)

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	cmds := map[string]func(context.Context, *common, []string) error{
		"failover": func(ctx context.Context, c *common, a []string) error { return switchRegion(ctx, c, a, true) },
		"failback": func(ctx context.Context, c *common, a []string) error { return switchRegion(ctx, c, a, false) },
		"status":   status, "restore-pitr": restorePITR, "restore-backup": restoreBackup, "verify": verify,
		"restore-group": restoreGroup, "restore-object": restoreObject,
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		names := make([]string, 0, len(cmds))
		for k := range cmds {
			names = append(names, k)
		}
		sort.Strings(names)
		fmt.Fprintf(stderr, "recovery: unknown command %q (one of %s)\n%s\n", args[0], strings.Join(names, ", "), usage)
		return 2
	}
	c := &common{ctx: contextFlags{}, stdout: stdout, stderr: stderr, cache: map[string]*awsclient.Clients{}}
	err := cmd(ctx, c, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "recovery %s: %v\n", args[0], err)
		return 2
	case errors.Is(err, errPartial):
		return 3
	default:
		fmt.Fprintf(stderr, "recovery %s: %v\n", args[0], err)
		return 1
	}
}

func parse(c *common, name string, args []string, dryRun bool, more func(*flag.FlagSet)) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	c.register(fs, dryRun)
	if more != nil {
		more(fs)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, fs.Args())
	}
	return nil
}

func switchRegion(ctx context.Context, c *common, args []string, toDR bool) error {
	name := map[bool]string{true: "failover", false: "failback"}[toDR]
	if err := parse(c, name, args, true, nil); err != nil {
		return err
	}
	if err := c.loadForAWS(ctx); err != nil {
		return err
	}
	cfg := c.cfg
	to, from := cfg.DRRegion, cfg.PrimaryRegion
	if !toDR {
		to, from = from, to
	}
	f := controlplane.Failover{Mailer: cfg.FunctionName("mailer"), Scheduler: cfg.FunctionName("scheduler"),
		RuleSet: cfg.ReceiptRuleSetName(), API: cfg.AppName, Domain: cfg.Domain, HostedZoneID: cfg.HostedZoneID,
		MailDomain: cfg.MailDomain, Calls: c.calls()}
	var err error
	if f.To, err = c.side(ctx, to); err != nil {
		return err
	}
	if f.From, err = c.side(ctx, from); err != nil {
		return err
	}
	if cfg.HostedZoneID != "" {
		ac, err := c.aws(ctx, "us-east-1") // Route 53 is global
		if err != nil {
			return err
		}
		f.DNS = route53.NewFromConfig(ac)
	}
	r, err := controlplane.Activate(ctx, f)
	if err != nil {
		return err
	}
	r.Print(c.calls())
	if len(r.Unreached) > 0 {
		return errPartial
	}
	return nil
}

func status(ctx context.Context, c *common, args []string) error {
	if err := parse(c, "status", args, false, nil); err != nil {
		return err
	}
	if err := c.loadForAWS(ctx); err != nil {
		return err
	}
	cfg := c.cfg
	fmt.Fprintf(c.stdout, "Configured active region: %s (activeRegion in cdk.json / -c)\n", cfg.ActiveRegion)
	for _, region := range []string{cfg.PrimaryRegion, cfg.DRRegion} {
		side, err := c.side(ctx, region)
		if err != nil {
			return err
		}
		st := controlplane.SideStatus(ctx, side, cfg.FunctionName("mailer"), cfg.FunctionName("scheduler"))
		fmt.Fprintf(c.stdout, "%s: %s\n", region, st)
	}
	return nil
}

func restorePITR(ctx context.Context, c *common, args []string) error {
	var at, target string
	var noWait bool
	if err := parse(c, "restore-pitr", args, true, func(fs *flag.FlagSet) {
		fs.StringVar(&at, "time", "", `moment to restore, RFC 3339 (2026-01-31T09:45:00Z) or "latest"`)
		fs.StringVar(&target, "target", "", "name of the new table (default <table>-pitr-<time>)")
		fs.BoolVar(&noWait, "no-wait", false, "do not wait for the new table to become ACTIVE")
	}); err != nil {
		return err
	}
	var when time.Time
	switch at {
	case "":
		return fmt.Errorf("%w: -time is required (RFC 3339, or latest)", errUsage)
	case "latest":
	default:
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			return fmt.Errorf("%w: -time %q: %v", errUsage, at, err)
		}
		when = t
	}
	if err := c.loadForAWS(ctx); err != nil {
		return err
	}
	region := c.regionOr(c.cfg.ActiveRegion)
	source := c.cfg.Table().Name
	if target == "" {
		suffix := "latest-" + time.Now().UTC().Format("20060102-1504")
		if !when.IsZero() {
			suffix = when.UTC().Format("20060102-1504")
		}
		target = source + "-pitr-" + suffix
	}
	db, err := c.dynamo(ctx, region)
	if err != nil {
		return err
	}
	p := controlplane.PointInTime{Region: region, Source: source, Target: target, At: when, KMSKey: c.cfg.KeyAlias()}
	if err := controlplane.RestorePointInTime(ctx, db, p, c.calls(), !noWait); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Next: make verify A=%s B=%s REGION=%s, then make restore-group FROM=%s GROUP=<id>\n", target, source, region, target)
	return nil
}

func restoreBackup(ctx context.Context, c *common, args []string) error {
	var rp, before, target, vault, keyArn string
	var noWait bool
	if err := parse(c, "restore-backup", args, true, func(fs *flag.FlagSet) {
		fs.StringVar(&rp, "recovery-point", "", "recovery point ARN (default: the newest completed one)")
		fs.StringVar(&before, "before", "", "pick the newest recovery point created before this RFC 3339 time")
		fs.StringVar(&target, "target", "", "name of the new table (default <table>-backup-<date>)")
		fs.StringVar(&vault, "vault", "", "backup vault (default: the region's vault, <app>-<region>)")
		fs.StringVar(&keyArn, "kms-key-arn", "", "KMS key ARN for the new table (default: the key of the table in that region)")
		fs.BoolVar(&noWait, "no-wait", false, "do not wait for the restore job and the new table")
	}); err != nil {
		return err
	}
	if err := c.loadForAWS(ctx); err != nil {
		return err
	}
	cfg := c.cfg
	region := c.regionOr(cfg.DRRegion) // the cross-region copies live in the DR vault
	if vault == "" {
		vault = cfg.BackupVaultName(region)
	}
	b := controlplane.FromBackup{Region: region, Vault: vault, RecoveryPoint: rp, Target: target, KMSKeyArn: keyArn,
		TableArn: "arn:aws:dynamodb:" + cfg.PrimaryRegion + ":" + cfg.Account + ":table/" + cfg.Table().Name,
		RoleArn:  cfg.BackupRoleArn()}
	if before != "" {
		t, err := time.Parse(time.RFC3339, before)
		if err != nil {
			return fmt.Errorf("%w: -before %q: %v", errUsage, before, err)
		}
		b.Before = t
	}
	if b.Target == "" {
		b.Target = cfg.Table().Name + "-backup-" + time.Now().UTC().Format("20060102-1504")
	}
	ac, err := c.aws(ctx, region)
	if err != nil {
		return err
	}
	db, err := c.dynamo(ctx, region)
	if err != nil {
		return err
	}
	if b.KMSKeyArn == "" {
		if b.KMSKeyArn, err = controlplane.TableKey(ctx, db, region, cfg.Table().Name, c.calls()); err != nil {
			return err
		}
	}
	if err := controlplane.RestoreFromBackup(ctx, backup.NewFromConfig(ac), db, b, c.calls(), !noWait); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Next: make verify A=%s B=%s REGION=%s\n", b.Target, cfg.Table().Name, region)
	return nil
}

func scopeFlags(fs *flag.FlagSet, s *recovery.Scope) {
	fs.StringVar(&s.GroupID, "group", "", "group id (with its subgroups, threads and polls)")
	fs.StringVar(&s.ThreadID, "thread", "", "thread id (with its polls)")
	fs.BoolVar(&s.NoSubgroups, "no-subgroups", false, "leave the group's subgroups out")
}

func verify(ctx context.Context, c *common, args []string) error {
	var a, b string
	var scope recovery.Scope
	var withExpired bool
	if err := parse(c, "verify", args, false, func(fs *flag.FlagSet) {
		fs.StringVar(&a, "a", "", "first table (for example the restored one)")
		fs.StringVar(&b, "b", "", "second table (default: the live table)")
		fs.BoolVar(&withExpired, "include-expired", false, "compare items past their TTL too")
		scopeFlags(fs, &scope)
	}); err != nil {
		return err
	}
	if a == "" {
		return fmt.Errorf("%w: -a is required", errUsage)
	}
	if err := c.load(ctx); err != nil {
		return err
	}
	if b == "" {
		b = c.cfg.Table().Name
	}
	in := recovery.VerifyInput{A: a, B: b, IncludeExpired: withExpired}
	if scope.GroupID != "" || scope.ThreadID != "" {
		if err := scope.Validate(); err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		in.Scope = &scope
	}
	db, err := c.dynamo(ctx, c.regionOr(c.cfg.ActiveRegion))
	if err != nil {
		return err
	}
	r, err := recovery.Verify(ctx, db, in)
	if err != nil {
		return err
	}
	if c.asJSON {
		c.printJSON(r)
	} else {
		r.Print(c.stdout)
	}
	if !r.Equal() {
		return errPartial
	}
	return nil
}

func restoreGroup(ctx context.Context, c *common, args []string) error {
	var from, to, bucket string
	var scope recovery.Scope
	var noFiles bool
	if err := parse(c, "restore-group", args, true, func(fs *flag.FlagSet) {
		fs.StringVar(&from, "from", "", "restored table to copy from (restore-pitr or restore-backup made it)")
		fs.StringVar(&to, "to", "", "live table (default: the deployment's table)")
		fs.StringVar(&bucket, "bucket", "", "uploads bucket whose files to bring back (default: the region's uploads bucket)")
		fs.BoolVar(&noFiles, "no-files", false, "do not touch the files' objects")
		scopeFlags(fs, &scope)
	}); err != nil {
		return err
	}
	if from == "" {
		return fmt.Errorf("%w: -from is required", errUsage)
	}
	if err := scope.Validate(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if err := c.load(ctx); err != nil {
		return err
	}
	region := c.regionOr(c.cfg.ActiveRegion)
	if to == "" {
		to = c.cfg.Table().Name
	}
	db, err := c.dynamo(ctx, region)
	if err != nil {
		return err
	}
	in := recovery.RestoreInput{Source: from, Target: to, Scope: scope, DryRun: c.dryRun}
	if !noFiles {
		if bucket == "" {
			bucket = c.cfg.BucketName(region, tabledef.UploadsBucket)
		}
		s3c, err := c.s3(ctx, region)
		if err != nil {
			return err
		}
		in.Files = &recovery.Objects{S3: s3c, Bucket: bucket, KMSKey: c.cfg.KeyAlias(), Log: c.stdout}
	}
	r, err := recovery.Restore(ctx, db, in)
	if err != nil {
		return err
	}
	if c.asJSON {
		c.printJSON(r)
	} else {
		r.Print(c.stdout)
		if !c.dryRun {
			fmt.Fprintf(c.stdout, "Check: make verify A=%s B=%s %s REGION=%s (differences left are the kept items)\n", from, to, scopeArg(scope), region)
		}
	}
	if len(r.Kept) > 0 || (r.Files != nil && len(r.Files.Lost) > 0) {
		return errPartial
	}
	return nil
}

func scopeArg(s recovery.Scope) string {
	if s.ThreadID != "" {
		return "THREAD=" + s.ThreadID
	}
	return "GROUP=" + s.GroupID
}

func restoreObject(ctx context.Context, c *common, args []string) error {
	var key, version, bucket string
	if err := parse(c, "restore-object", args, true, func(fs *flag.FlagSet) {
		fs.StringVar(&key, "key", "", "object key (threads/<thread id>/<file id>)")
		fs.StringVar(&version, "version", "", "version to make current (default: undelete the newest version)")
		fs.StringVar(&bucket, "bucket", "", "bucket name, or a role: uploads (default) or inbound")
	}); err != nil {
		return err
	}
	if key == "" {
		return fmt.Errorf("%w: -key is required", errUsage)
	}
	if err := c.load(ctx); err != nil {
		return err
	}
	region := c.regionOr(c.cfg.ActiveRegion)
	switch bucket {
	case "", tabledef.UploadsBucket:
		bucket = c.cfg.BucketName(region, tabledef.UploadsBucket)
	case tabledef.InboundBucket:
		bucket = c.cfg.BucketName(region, tabledef.InboundBucket)
	}
	s3c, err := c.s3(ctx, region)
	if err != nil {
		return err
	}
	o := &recovery.Objects{S3: s3c, Bucket: bucket, KMSKey: c.cfg.KeyAlias(), Log: c.stdout}
	r, err := o.Restore(ctx, key, version, c.dryRun)
	if err != nil {
		return err
	}
	if c.asJSON {
		c.printJSON(r)
		return nil
	}
	switch r.Action {
	case recovery.ObjectLost:
		fmt.Fprintf(c.stdout, "%s: no version left in %s; try the DR replica bucket (-region %s)\n", key, bucket, c.cfg.StandbyRegion())
		return errPartial
	case recovery.ObjectPresent:
		fmt.Fprintf(c.stdout, "%s: version %s is current: nothing to do\n", key, r.VersionID)
	default:
		fmt.Fprintf(c.stdout, "%s: %s, version %s is current\n", key, r.Action, r.VersionID)
	}
	return nil
}
