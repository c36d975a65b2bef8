package controlplane

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/aws-sdk-go-v2/service/ses"

	"github.com/quorum-app/quorum/internal/recovery"
)

// The AWS calls of a failover, per service (the SDK v2 clients implement them).
type (
	// LambdaAPI switches the mailer's stream mapping.
	LambdaAPI interface {
		ListEventSourceMappings(ctx context.Context, in *lambda.ListEventSourceMappingsInput, opts ...func(*lambda.Options)) (*lambda.ListEventSourceMappingsOutput, error)
		UpdateEventSourceMapping(ctx context.Context, in *lambda.UpdateEventSourceMappingInput, opts ...func(*lambda.Options)) (*lambda.UpdateEventSourceMappingOutput, error)
	}
	// SchedulerAPI switches the scheduler's schedule.
	SchedulerAPI interface {
		GetSchedule(ctx context.Context, in *scheduler.GetScheduleInput, opts ...func(*scheduler.Options)) (*scheduler.GetScheduleOutput, error)
		UpdateSchedule(ctx context.Context, in *scheduler.UpdateScheduleInput, opts ...func(*scheduler.Options)) (*scheduler.UpdateScheduleOutput, error)
	}
	// ReceiptAPI activates the receipt rule set of inbound mail (SES v1).
	ReceiptAPI interface {
		DescribeActiveReceiptRuleSet(ctx context.Context, in *ses.DescribeActiveReceiptRuleSetInput, opts ...func(*ses.Options)) (*ses.DescribeActiveReceiptRuleSetOutput, error)
		SetActiveReceiptRuleSet(ctx context.Context, in *ses.SetActiveReceiptRuleSetInput, opts ...func(*ses.Options)) (*ses.SetActiveReceiptRuleSetOutput, error)
	}
	// APIGatewayAPI finds a region's API endpoint and custom domain target.
	APIGatewayAPI interface {
		GetDomainName(ctx context.Context, in *apigatewayv2.GetDomainNameInput, opts ...func(*apigatewayv2.Options)) (*apigatewayv2.GetDomainNameOutput, error)
		GetApis(ctx context.Context, in *apigatewayv2.GetApisInput, opts ...func(*apigatewayv2.Options)) (*apigatewayv2.GetApisOutput, error)
	}
	// DNSAPI switches the failover records (Route 53).
	DNSAPI interface {
		GetHostedZone(ctx context.Context, in *route53.GetHostedZoneInput, opts ...func(*route53.Options)) (*route53.GetHostedZoneOutput, error)
		ListResourceRecordSets(ctx context.Context, in *route53.ListResourceRecordSetsInput, opts ...func(*route53.Options)) (*route53.ListResourceRecordSetsOutput, error)
		ChangeResourceRecordSets(ctx context.Context, in *route53.ChangeResourceRecordSetsInput, opts ...func(*route53.Options)) (*route53.ChangeResourceRecordSetsOutput, error)
	}
)

// Region is one side of a deployment: the clients of its region.
type Region struct {
	Name      string
	Lambda    LambdaAPI
	Scheduler SchedulerAPI
	// Receipt is nil where SES cannot receive mail (or mail is off).
	Receipt ReceiptAPI
	APIs    APIGatewayAPI
}

// Failover describes a switch of the active region.
type Failover struct {
	// To becomes active; From (the other region) goes idle when reachable.
	To, From Region
	// Names of the deployment's resources (infra/facts.Config).
	Mailer, Scheduler, RuleSet, API string
	// Domain is the custom domain (optional); HostedZoneID its Route 53
	// zone, whose failover records this switches (optional).
	Domain, HostedZoneID string
	// MailDomain receives mail (optional); its MX is switched when it is in
	// the hosted zone.
	MailDomain string
	DNS        DNSAPI
	Calls      recovery.Calls
}

// FailoverReport says what a switch did.
type FailoverReport struct {
	Active string
	// Changed counts the calls that changed something (or would, in a dry run).
	Changed int
	// Unreached lists what could not be switched off in the old region (it
	// was unreachable); run the switch again once it answers.
	Unreached []string
	// URL is the address to give users (no hosted zone, or no domain).
	URL string
	// Manual lists DNS changes to make by hand (no hosted zone).
	Manual []string
}

// Activate makes f.To the active region: the scheduler and the mailer's
// stream mapping are switched off in f.From first (when it answers), then on
// in f.To; f.To's receipt rule set is activated; traffic is switched (the
// Route 53 failover records, or the URL and DNS changes to make). Every step
// reads the current state first and changes only what differs, so running
// it again does nothing more.
func Activate(ctx context.Context, f Failover) (*FailoverReport, error) {
	r := &FailoverReport{Active: f.To.Name}
	c := f.Calls
	c.Note("Making %s the active region (idle: %s)", f.To.Name, f.From.Name)

	c.Note("1. Switch off the scheduler and the mailer in %s", f.From.Name)
	for _, step := range []struct {
		what string
		err  error
	}{
		{"mailer stream mapping", f.setMapping(ctx, r, f.From, false)},
		{"scheduler", f.setSchedule(ctx, r, f.From, false)},
	} {
		what, err := step.what, step.err
		if err != nil {
			c.Note("  %s in %s NOT switched off (%v): run this again once %s answers", what, f.From.Name, err, f.From.Name)
			r.Unreached = append(r.Unreached, what+" in "+f.From.Name)
		}
	}

	c.Note("2. Switch on the mailer and the scheduler in %s", f.To.Name)
	if err := f.setMapping(ctx, r, f.To, true); err != nil {
		return r, fmt.Errorf("mailer stream mapping in %s: %w", f.To.Name, err)
	}
	if err := f.setSchedule(ctx, r, f.To, true); err != nil {
		return r, fmt.Errorf("scheduler in %s: %w", f.To.Name, err)
	}

	c.Note("3. Inbound mail in %s", f.To.Name)
	if err := f.activateRuleSet(ctx, r); err != nil {
		return r, fmt.Errorf("receipt rule set in %s: %w", f.To.Name, err)
	}

	c.Note("4. Traffic")
	if err := f.switchTraffic(ctx, r); err != nil {
		return r, err
	}
	return r, nil
}

func (f Failover) setMapping(ctx context.Context, r *FailoverReport, side Region, on bool) error {
	c := f.Calls
	list := &lambda.ListEventSourceMappingsInput{FunctionName: aws.String(f.Mailer)}
	c.Read("lambda", "ListEventSourceMappings", side.Name, list)
	out, err := side.Lambda.ListEventSourceMappings(ctx, list)
	if err != nil {
		return err
	}
	if len(out.EventSourceMappings) == 0 {
		return fmt.Errorf("%s has no event source mapping in %s: deploy the stacks first", f.Mailer, side.Name)
	}
	for _, m := range out.EventSourceMappings {
		state := aws.ToString(m.State)
		if on && (state == "Enabled" || state == "Enabling") || !on && (state == "Disabled" || state == "Disabling") {
			c.Note("  mapping %s of %s is %s: nothing to do", aws.ToString(m.UUID), f.Mailer, state)
			continue
		}
		in := &lambda.UpdateEventSourceMappingInput{UUID: m.UUID, Enabled: aws.Bool(on)}
		r.Changed++
		if c.Write("lambda", "UpdateEventSourceMapping", side.Name, in) {
			if _, err := side.Lambda.UpdateEventSourceMapping(ctx, in); err != nil {
				return err
			}
		}
	}
	return nil
}

func (f Failover) setSchedule(ctx context.Context, r *FailoverReport, side Region, on bool) error {
	c := f.Calls
	get := &scheduler.GetScheduleInput{Name: aws.String(f.Scheduler)}
	c.Read("scheduler", "GetSchedule", side.Name, get)
	s, err := side.Scheduler.GetSchedule(ctx, get)
	if err != nil {
		return err
	}
	want := schedtypes.ScheduleStateDisabled
	if on {
		want = schedtypes.ScheduleStateEnabled
	}
	if s.State == want {
		c.Note("  schedule %s is %s: nothing to do", f.Scheduler, want)
		return nil
	}
	// UpdateSchedule replaces the whole definition: send it back as read.
	in := &scheduler.UpdateScheduleInput{
		Name: s.Name, GroupName: s.GroupName, ScheduleExpression: s.ScheduleExpression,
		ScheduleExpressionTimezone: s.ScheduleExpressionTimezone, FlexibleTimeWindow: s.FlexibleTimeWindow,
		Target: s.Target, Description: s.Description, KmsKeyArn: s.KmsKeyArn, StartDate: s.StartDate, EndDate: s.EndDate,
		ActionAfterCompletion: s.ActionAfterCompletion, State: want,
	}
	r.Changed++
	if c.Write("scheduler", "UpdateSchedule", side.Name, in) {
		_, err = side.Scheduler.UpdateSchedule(ctx, in)
	}
	return err
}

func (f Failover) activateRuleSet(ctx context.Context, r *FailoverReport) error {
	c := f.Calls
	if f.MailDomain == "" {
		c.Note("  mail is not configured: nothing to do")
		return nil
	}
	if f.To.Receipt == nil {
		c.Note("  SES does not receive mail in %s: replies and mail to groups wait until the old region is back (the MX still points there)", f.To.Name)
		return nil
	}
	desc := &ses.DescribeActiveReceiptRuleSetInput{}
	c.Read("ses", "DescribeActiveReceiptRuleSet", f.To.Name, desc)
	cur, err := f.To.Receipt.DescribeActiveReceiptRuleSet(ctx, desc)
	if err != nil {
		return err
	}
	if cur.Metadata != nil && aws.ToString(cur.Metadata.Name) == f.RuleSet {
		c.Note("  receipt rule set %s is active: nothing to do", f.RuleSet)
		return nil
	}
	in := &ses.SetActiveReceiptRuleSetInput{RuleSetName: aws.String(f.RuleSet)}
	r.Changed++
	if c.Write("ses", "SetActiveReceiptRuleSet", f.To.Name, in) {
		_, err = f.To.Receipt.SetActiveReceiptRuleSet(ctx, in)
	}
	return err
}

// apiTarget is a region's custom domain target (regional domain name and its
// hosted zone) for the failover records.
func (f Failover) apiTarget(ctx context.Context, side Region) (name, zone string, err error) {
	in := &apigatewayv2.GetDomainNameInput{DomainName: aws.String(f.Domain)}
	f.Calls.Read("apigatewayv2", "GetDomainName", side.Name, in)
	out, err := side.APIs.GetDomainName(ctx, in)
	if err != nil {
		return "", "", err
	}
	if len(out.DomainNameConfigurations) == 0 {
		return "", "", fmt.Errorf("custom domain %s has no configuration in %s", f.Domain, side.Name)
	}
	dc := out.DomainNameConfigurations[0]
	return aws.ToString(dc.ApiGatewayDomainName), aws.ToString(dc.HostedZoneId), nil
}

// Set identifiers of the failover pair for the custom domain.
const (
	activeRecord  = "active"
	standbyRecord = "standby"
)

func (f Failover) switchTraffic(ctx context.Context, r *FailoverReport) error {
	c := f.Calls
	if f.Domain == "" {
		in := &apigatewayv2.GetApisInput{}
		c.Read("apigatewayv2", "GetApis", f.To.Name, in)
		out, err := f.To.APIs.GetApis(ctx, in)
		if err != nil {
			return fmt.Errorf("find the API in %s: %w", f.To.Name, err)
		}
		for _, a := range out.Items {
			if aws.ToString(a.Name) == f.API {
				r.URL = aws.ToString(a.ApiEndpoint)
			}
		}
		if r.URL == "" {
			return fmt.Errorf("no HTTP API named %s in %s: deploy the stacks first", f.API, f.To.Name)
		}
		c.Note("  no custom domain: give users this address: %s", r.URL)
		return nil
	}
	r.URL = "https://" + f.Domain
	target, targetZone, err := f.apiTarget(ctx, f.To)
	if err != nil {
		return fmt.Errorf("custom domain in %s: %w", f.To.Name, err)
	}
	if f.HostedZoneID == "" || f.DNS == nil {
		r.Manual = append(r.Manual, fmt.Sprintf("%s CNAME %s", f.Domain, target))
		if f.MailDomain != "" && f.To.Receipt != nil {
			r.Manual = append(r.Manual, fmt.Sprintf("%s MX 10 inbound-smtp.%s.amazonaws.com", f.MailDomain, f.To.Name))
		}
		for _, m := range r.Manual {
			c.Note("  no hosted zone configured: change this DNS record by hand: %s", m)
		}
		return nil
	}
	standby, standbyZone, serr := f.apiTarget(ctx, f.From)
	if serr != nil {
		c.Note("  the custom domain in %s is unreachable (%v): the standby record is left as it is", f.From.Name, serr)
	}
	records, err := f.records(ctx, f.Domain)
	if err != nil {
		return err
	}
	var changes []r53types.Change
	failover := func(id string, role r53types.ResourceRecordSetFailover, dns, zone string) {
		for _, rr := range records {
			if aws.ToString(rr.SetIdentifier) == id && rr.Type == r53types.RRTypeA && rr.AliasTarget != nil &&
				sameName(aws.ToString(rr.AliasTarget.DNSName), dns) {
				c.Note("  %s record of %s already points to %s: nothing to do", id, f.Domain, dns)
				return
			}
		}
		changes = append(changes, r53types.Change{Action: r53types.ChangeActionUpsert, ResourceRecordSet: &r53types.ResourceRecordSet{
			Name: aws.String(f.Domain), Type: r53types.RRTypeA, SetIdentifier: aws.String(id), Failover: role,
			AliasTarget: &r53types.AliasTarget{DNSName: aws.String(dns), HostedZoneId: aws.String(zone), EvaluateTargetHealth: false},
		}})
	}
	// A simple record for the domain (the first-deploy CNAME or alias)
	// cannot coexist with the failover pair: it goes in the same batch.
	for _, rr := range records {
		if rr.SetIdentifier == nil && (rr.Type == r53types.RRTypeA || rr.Type == r53types.RRTypeAaaa || rr.Type == r53types.RRTypeCname) {
			rr := rr
			changes = append(changes, r53types.Change{Action: r53types.ChangeActionDelete, ResourceRecordSet: &rr})
		}
	}
	failover(activeRecord, r53types.ResourceRecordSetFailoverPrimary, target, targetZone)
	if serr == nil {
		failover(standbyRecord, r53types.ResourceRecordSetFailoverSecondary, standby, standbyZone)
	}
	mx, err := f.mailExchange(ctx)
	if err != nil {
		return err
	}
	changes = append(changes, mx...)
	if len(changes) == 0 {
		return nil
	}
	in := &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(f.HostedZoneID), ChangeBatch: &r53types.ChangeBatch{
		Comment: aws.String("quorum failover: " + f.To.Name + " active"), Changes: changes}}
	r.Changed++
	if c.Write("route53", "ChangeResourceRecordSets", "", in) {
		if _, err := f.DNS.ChangeResourceRecordSets(ctx, in); err != nil {
			return err
		}
	}
	return nil
}

// mailExchange returns the change moving the mail domain's MX to the active
// region, when the zone holds the mail domain and that region receives mail.
func (f Failover) mailExchange(ctx context.Context) ([]r53types.Change, error) {
	c := f.Calls
	if f.MailDomain == "" || f.To.Receipt == nil {
		return nil, nil
	}
	get := &route53.GetHostedZoneInput{Id: aws.String(f.HostedZoneID)}
	c.Read("route53", "GetHostedZone", "", get)
	z, err := f.DNS.GetHostedZone(ctx, get)
	if err != nil {
		return nil, err
	}
	zone := strings.TrimSuffix(aws.ToString(z.HostedZone.Name), ".")
	if f.MailDomain != zone && !strings.HasSuffix(f.MailDomain, "."+zone) {
		c.Note("  the mail domain %s is not in zone %s: point its MX to inbound-smtp.%s.amazonaws.com by hand", f.MailDomain, zone, f.To.Name)
		return nil, nil
	}
	want := "10 inbound-smtp." + f.To.Name + ".amazonaws.com"
	records, err := f.records(ctx, f.MailDomain)
	if err != nil {
		return nil, err
	}
	for _, rr := range records {
		if rr.Type == r53types.RRTypeMx && len(rr.ResourceRecords) == 1 && sameName(aws.ToString(rr.ResourceRecords[0].Value), want) {
			c.Note("  MX of %s already points to %s: nothing to do", f.MailDomain, f.To.Name)
			return nil, nil
		}
	}
	return []r53types.Change{{Action: r53types.ChangeActionUpsert, ResourceRecordSet: &r53types.ResourceRecordSet{
		Name: aws.String(f.MailDomain), Type: r53types.RRTypeMx, TTL: aws.Int64(300),
		ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(want)}},
	}}}, nil
}

// records lists the record sets named name (all types).
func (f Failover) records(ctx context.Context, name string) ([]r53types.ResourceRecordSet, error) {
	in := &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(f.HostedZoneID), StartRecordName: aws.String(name), MaxItems: aws.Int32(20)}
	f.Calls.Read("route53", "ListResourceRecordSets", "", in)
	out, err := f.DNS.ListResourceRecordSets(ctx, in)
	if err != nil {
		return nil, err
	}
	var rs []r53types.ResourceRecordSet
	for _, rr := range out.ResourceRecordSets {
		if sameName(aws.ToString(rr.Name), name) {
			rs = append(rs, rr)
		}
	}
	return rs, nil
}

func sameName(a, b string) bool {
	return strings.EqualFold(strings.TrimSuffix(a, "."), strings.TrimSuffix(b, "."))
}

// Print writes the outcome for an operator.
func (r *FailoverReport) Print(c recovery.Calls) {
	verb := "is now"
	if c.DryRun {
		verb = "would be"
	}
	c.Note("\n%s %s the active region (%d change(s)).", r.Active, verb, r.Changed)
	if r.URL != "" {
		c.Note("Users reach Quorum at %s", r.URL)
	}
	for _, m := range r.Manual {
		c.Note("Change by hand: %s", m)
	}
	if len(r.Unreached) > 0 {
		c.Note("NOT switched off (unreachable): %s. Run the same command again once that region answers.", strings.Join(r.Unreached, ", "))
	}
	c.Note("From now on deploy with -c activeRegion=%s (put it in cdk.json) so CloudFormation keeps this state.", r.Active)
}

// ErrUnreached is returned by a command whose old region could not be switched off.
var ErrUnreached = errors.New("the old region was not switched off")

// SideStatus describes what runs in one region: the mailer's stream mapping,
// the scheduler and (with Receipt) the active receipt rule set.
func SideStatus(ctx context.Context, side Region, mailer, sched string) string {
	var parts []string
	if out, err := side.Lambda.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{FunctionName: aws.String(mailer)}); err != nil {
		parts = append(parts, "mailer mapping: unreachable ("+err.Error()+")")
	} else {
		for _, m := range out.EventSourceMappings {
			parts = append(parts, "mailer mapping "+aws.ToString(m.State))
		}
		if len(out.EventSourceMappings) == 0 {
			parts = append(parts, "mailer mapping: none")
		}
	}
	if s, err := side.Scheduler.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String(sched)}); err != nil {
		parts = append(parts, "scheduler: unreachable ("+err.Error()+")")
	} else {
		parts = append(parts, "scheduler "+string(s.State))
	}
	if side.Receipt != nil {
		if out, err := side.Receipt.DescribeActiveReceiptRuleSet(ctx, &ses.DescribeActiveReceiptRuleSetInput{}); err == nil && out.Metadata != nil {
			parts = append(parts, "active receipt rule set "+aws.ToString(out.Metadata.Name))
		} else if err == nil {
			parts = append(parts, "no active receipt rule set")
		}
	}
	return strings.Join(parts, ", ")
}
