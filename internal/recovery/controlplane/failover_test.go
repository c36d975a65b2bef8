package controlplane_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	sestypes "github.com/aws/aws-sdk-go-v2/service/ses/types"

	"github.com/quorum-app/quorum/internal/recovery"
	"github.com/quorum-app/quorum/internal/recovery/controlplane"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// There is no local stand-in for Lambda, EventBridge Scheduler, SES receipt
// rules, API Gateway or Route 53: fakeRegion keeps the state those calls
// read and change, so the tests check what a switch leaves behind, that a
// second run changes nothing, and what a dry run prints.
type fakeRegion struct {
	name      string
	down      bool
	mapping   string // Enabled / Disabled
	schedule  schedtypes.ScheduleState
	activeSet string
	writes    *[]string
}

var errDown = errors.New("dial tcp: region unreachable")

func (f *fakeRegion) wrote(op string) { *f.writes = append(*f.writes, f.name+" "+op) }

func (f *fakeRegion) ListEventSourceMappings(_ context.Context, in *lambda.ListEventSourceMappingsInput, _ ...func(*lambda.Options)) (*lambda.ListEventSourceMappingsOutput, error) {
	if f.down {
		return nil, errDown
	}
	if aws.ToString(in.FunctionName) != "quorum-mailer" {
		return &lambda.ListEventSourceMappingsOutput{}, nil
	}
	return &lambda.ListEventSourceMappingsOutput{EventSourceMappings: []lambdatypes.EventSourceMappingConfiguration{{
		UUID: aws.String("uuid-" + f.name), State: aws.String(f.mapping)}}}, nil
}

func (f *fakeRegion) UpdateEventSourceMapping(_ context.Context, in *lambda.UpdateEventSourceMappingInput, _ ...func(*lambda.Options)) (*lambda.UpdateEventSourceMappingOutput, error) {
	if f.down {
		return nil, errDown
	}
	f.wrote("UpdateEventSourceMapping")
	f.mapping = map[bool]string{true: "Enabled", false: "Disabled"}[aws.ToBool(in.Enabled)]
	return &lambda.UpdateEventSourceMappingOutput{}, nil
}

func (f *fakeRegion) GetSchedule(_ context.Context, in *scheduler.GetScheduleInput, _ ...func(*scheduler.Options)) (*scheduler.GetScheduleOutput, error) {
	if f.down {
		return nil, errDown
	}
	return &scheduler.GetScheduleOutput{Name: in.Name, ScheduleExpression: aws.String("rate(5 minutes)"), State: f.schedule,
		FlexibleTimeWindow: &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeOff},
		Target:             &schedtypes.Target{Arn: aws.String("arn:aws:lambda:" + f.name + ":123456789012:function:quorum-scheduler"), RoleArn: aws.String("arn:aws:iam::123456789012:role/sched")}}, nil
}

func (f *fakeRegion) UpdateSchedule(_ context.Context, in *scheduler.UpdateScheduleInput, _ ...func(*scheduler.Options)) (*scheduler.UpdateScheduleOutput, error) {
	if f.down {
		return nil, errDown
	}
	if in.Target == nil || in.ScheduleExpression == nil || in.FlexibleTimeWindow == nil {
		return nil, errors.New("ValidationException: UpdateSchedule needs the whole definition")
	}
	f.wrote("UpdateSchedule")
	f.schedule = in.State
	return &scheduler.UpdateScheduleOutput{}, nil
}

func (f *fakeRegion) DescribeActiveReceiptRuleSet(context.Context, *ses.DescribeActiveReceiptRuleSetInput, ...func(*ses.Options)) (*ses.DescribeActiveReceiptRuleSetOutput, error) {
	if f.down {
		return nil, errDown
	}
	if f.activeSet == "" {
		return &ses.DescribeActiveReceiptRuleSetOutput{}, nil
	}
	return &ses.DescribeActiveReceiptRuleSetOutput{Metadata: &sestypes.ReceiptRuleSetMetadata{Name: aws.String(f.activeSet)}}, nil
}

func (f *fakeRegion) SetActiveReceiptRuleSet(_ context.Context, in *ses.SetActiveReceiptRuleSetInput, _ ...func(*ses.Options)) (*ses.SetActiveReceiptRuleSetOutput, error) {
	f.wrote("SetActiveReceiptRuleSet")
	f.activeSet = aws.ToString(in.RuleSetName)
	return &ses.SetActiveReceiptRuleSetOutput{}, nil
}

func (f *fakeRegion) GetDomainName(_ context.Context, in *apigatewayv2.GetDomainNameInput, _ ...func(*apigatewayv2.Options)) (*apigatewayv2.GetDomainNameOutput, error) {
	if f.down {
		return nil, errDown
	}
	return &apigatewayv2.GetDomainNameOutput{DomainName: in.DomainName, DomainNameConfigurations: []agtypes.DomainNameConfiguration{{
		ApiGatewayDomainName: aws.String("d-" + f.name + ".execute-api." + f.name + ".amazonaws.com"), HostedZoneId: aws.String("Z" + strings.ToUpper(f.name[:2]))}}}, nil
}

func (f *fakeRegion) GetApis(context.Context, *apigatewayv2.GetApisInput, ...func(*apigatewayv2.Options)) (*apigatewayv2.GetApisOutput, error) {
	if f.down {
		return nil, errDown
	}
	return &apigatewayv2.GetApisOutput{Items: []agtypes.Api{{Name: aws.String("other")},
		{Name: aws.String("quorum"), ApiEndpoint: aws.String("https://abc.execute-api." + f.name + ".amazonaws.com")}}}, nil
}

// fakeZone is a Route 53 hosted zone.
type fakeZone struct {
	name    string
	records []r53types.ResourceRecordSet
	writes  *[]string
}

func (z *fakeZone) GetHostedZone(context.Context, *route53.GetHostedZoneInput, ...func(*route53.Options)) (*route53.GetHostedZoneOutput, error) {
	return &route53.GetHostedZoneOutput{HostedZone: &r53types.HostedZone{Name: aws.String(z.name + ".")}}, nil
}

func (z *fakeZone) ListResourceRecordSets(_ context.Context, in *route53.ListResourceRecordSetsInput, _ ...func(*route53.Options)) (*route53.ListResourceRecordSetsOutput, error) {
	return &route53.ListResourceRecordSetsOutput{ResourceRecordSets: append([]r53types.ResourceRecordSet(nil), z.records...)}, nil
}

func (z *fakeZone) ChangeResourceRecordSets(_ context.Context, in *route53.ChangeResourceRecordSetsInput, _ ...func(*route53.Options)) (*route53.ChangeResourceRecordSetsOutput, error) {
	*z.writes = append(*z.writes, "route53 ChangeResourceRecordSets")
	same := func(a, b r53types.ResourceRecordSet) bool {
		return strings.TrimSuffix(aws.ToString(a.Name), ".") == strings.TrimSuffix(aws.ToString(b.Name), ".") && a.Type == b.Type &&
			aws.ToString(a.SetIdentifier) == aws.ToString(b.SetIdentifier)
	}
	next := append([]r53types.ResourceRecordSet(nil), z.records...)
	for _, ch := range in.ChangeBatch.Changes {
		i := -1
		for j, rr := range next {
			if same(rr, *ch.ResourceRecordSet) {
				i = j
			}
		}
		switch ch.Action {
		case r53types.ChangeActionDelete:
			if i < 0 {
				return nil, errors.New("InvalidChangeBatch: record to delete not found")
			}
			next = append(next[:i], next[i+1:]...)
		case r53types.ChangeActionUpsert:
			if i >= 0 {
				next[i] = *ch.ResourceRecordSet
			} else {
				next = append(next, *ch.ResourceRecordSet)
			}
		}
	}
	// A simple record cannot share its name with failover records.
	for _, a := range next {
		for _, b := range next {
			if aws.ToString(a.Name) == aws.ToString(b.Name) && a.Type != r53types.RRTypeMx && b.Type != r53types.RRTypeMx &&
				(a.SetIdentifier == nil) != (b.SetIdentifier == nil) {
				return nil, errors.New("InvalidChangeBatch: a simple record and failover records share " + aws.ToString(a.Name))
			}
		}
	}
	z.records = next
	return &route53.ChangeResourceRecordSetsOutput{}, nil
}

func (z *fakeZone) target(id string) string {
	for _, rr := range z.records {
		if aws.ToString(rr.SetIdentifier) == id && rr.AliasTarget != nil {
			return string(rr.Failover) + " " + aws.ToString(rr.AliasTarget.DNSName)
		}
	}
	return ""
}

func (z *fakeZone) mx() string {
	for _, rr := range z.records {
		if rr.Type == r53types.RRTypeMx {
			return aws.ToString(rr.ResourceRecords[0].Value)
		}
	}
	return ""
}

type fakeCloud struct {
	primary, dr *fakeRegion
	zone        *fakeZone
	writes      []string
}

// newCloud is a deployment as the stacks leave it, primary active, with the
// custom domain still on the first deploy's simple CNAME.
func newCloud() *fakeCloud {
	c := &fakeCloud{}
	c.primary = &fakeRegion{name: "eu-west-1", mapping: "Enabled", schedule: schedtypes.ScheduleStateEnabled, activeSet: "quorum-inbound", writes: &c.writes}
	c.dr = &fakeRegion{name: "eu-central-1", mapping: "Disabled", schedule: schedtypes.ScheduleStateDisabled, writes: &c.writes}
	c.zone = &fakeZone{name: "example.org", writes: &c.writes, records: []r53types.ResourceRecordSet{
		{Name: aws.String("quorum.example.org."), Type: r53types.RRTypeCname, TTL: aws.Int64(300),
			ResourceRecords: []r53types.ResourceRecord{{Value: aws.String("d-eu-west-1.execute-api.eu-west-1.amazonaws.com")}}},
		{Name: aws.String("example.org."), Type: r53types.RRTypeMx, TTL: aws.Int64(300),
			ResourceRecords: []r53types.ResourceRecord{{Value: aws.String("10 inbound-smtp.eu-west-1.amazonaws.com")}}},
	}}
	return c
}

func region(f *fakeRegion) controlplane.Region {
	return controlplane.Region{Name: f.name, Lambda: f, Scheduler: f, Receipt: f, APIs: f}
}

func (c *fakeCloud) switchTo(to string, out *bytes.Buffer, dryRun bool, change func(*controlplane.Failover)) (*controlplane.FailoverReport, error) {
	f := controlplane.Failover{To: region(c.dr), From: region(c.primary), Mailer: "quorum-mailer", Scheduler: "quorum-scheduler",
		RuleSet: "quorum-inbound", API: "quorum", Domain: "quorum.example.org", HostedZoneID: "Z123", MailDomain: "example.org",
		DNS: c.zone, Calls: recovery.Calls{Out: out, DryRun: dryRun}}
	if to == c.primary.name {
		f.To, f.From = f.From, f.To
	}
	if change != nil {
		change(&f)
	}
	return controlplane.Activate(context.Background(), f)
}

func (c *fakeCloud) state() string {
	return strings.Join([]string{
		"primary " + c.primary.mapping + "/" + string(c.primary.schedule) + "/" + c.primary.activeSet,
		"dr " + c.dr.mapping + "/" + string(c.dr.schedule) + "/" + c.dr.activeSet,
		"active " + c.zone.target("active"), "standby " + c.zone.target("standby"), "mx " + c.zone.mx(),
	}, "; ")
}

// The dry-run output lists every call, reads and the writes it would make,
// and changes nothing (testdata/failover-dry-run.golden).
func TestFailoverDryRunPrintsEveryCall(t *testing.T) {
	c := newCloud()
	before := c.state()
	var out bytes.Buffer
	r, err := c.switchTo("eu-central-1", &out, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Print(recovery.Calls{Out: &out, DryRun: true})
	if len(c.writes) != 0 || c.state() != before {
		t.Fatalf("a dry run changed something: %v\n%s", c.writes, c.state())
	}
	golden := filepath.Join("testdata", "failover-dry-run.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != string(want) {
		t.Errorf("dry-run output differs from %s (go test -run %s -update to accept):\n%s", golden, t.Name(), out.String())
	}
	for _, call := range []string{"lambda:UpdateEventSourceMapping [eu-west-1]", "scheduler:UpdateSchedule [eu-west-1]",
		"lambda:UpdateEventSourceMapping [eu-central-1]", "scheduler:UpdateSchedule [eu-central-1]",
		"ses:SetActiveReceiptRuleSet [eu-central-1]", "route53:ChangeResourceRecordSets"} {
		if !strings.Contains(out.String(), "DRY RUN, would call "+call) {
			t.Errorf("dry run does not print %s", call)
		}
	}
	if r.Changed != 6 {
		t.Errorf("changes: %d", r.Changed)
	}
}

// Failover, then the same again (nothing more), then failback.
func TestFailoverAndFailbackAreIdempotent(t *testing.T) {
	c := newCloud()
	var out bytes.Buffer
	r, err := c.switchTo("eu-central-1", &out, false, nil)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	want := "primary Disabled/DISABLED/quorum-inbound; dr Enabled/ENABLED/quorum-inbound; " +
		"active PRIMARY d-eu-central-1.execute-api.eu-central-1.amazonaws.com; standby SECONDARY d-eu-west-1.execute-api.eu-west-1.amazonaws.com; " +
		"mx 10 inbound-smtp.eu-central-1.amazonaws.com"
	if got := c.state(); got != want {
		t.Fatalf("after failover:\n got %s\nwant %s\n%s", got, want, out.String())
	}
	// The old region's switch-off comes before the new region's switch-on.
	if strings.Join(c.writes[:4], ",") != "eu-west-1 UpdateEventSourceMapping,eu-west-1 UpdateSchedule,eu-central-1 UpdateEventSourceMapping,eu-central-1 UpdateSchedule" {
		t.Errorf("order: %v", c.writes)
	}
	if r.URL != "https://quorum.example.org" || len(r.Unreached) != 0 {
		t.Errorf("report: %+v", r)
	}
	n := len(c.writes)
	again, err := c.switchTo("eu-central-1", &out, false, nil)
	if err != nil || again.Changed != 0 || len(c.writes) != n {
		t.Fatalf("second failover: %v changed %d writes %v", err, again.Changed, c.writes[n:])
	}
	if _, err := c.switchTo("eu-west-1", &out, false, nil); err != nil {
		t.Fatal(err)
	}
	want = "primary Enabled/ENABLED/quorum-inbound; dr Disabled/DISABLED/quorum-inbound; " +
		"active PRIMARY d-eu-west-1.execute-api.eu-west-1.amazonaws.com; standby SECONDARY d-eu-central-1.execute-api.eu-central-1.amazonaws.com; " +
		"mx 10 inbound-smtp.eu-west-1.amazonaws.com"
	if got := c.state(); got != want {
		t.Fatalf("after failback:\n got %s\nwant %s", got, want)
	}
}

// The primary region is down: the DR side is switched on and traffic moves;
// what could not be switched off is reported, and a re-run finishes it.
func TestFailoverWhileThePrimaryIsDown(t *testing.T) {
	c := newCloud()
	c.primary.down = true
	var out bytes.Buffer
	r, err := c.switchTo("eu-central-1", &out, false, nil)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if len(r.Unreached) != 2 || c.dr.mapping != "Enabled" || c.dr.schedule != schedtypes.ScheduleStateEnabled ||
		!strings.Contains(c.zone.target("active"), "eu-central-1") || !strings.Contains(out.String(), "NOT switched off") {
		t.Fatalf("report %+v state %s\n%s", r, c.state(), out.String())
	}
	var printed bytes.Buffer
	r.Print(recovery.Calls{Out: &printed})
	if !strings.Contains(printed.String(), "Run the same command again") {
		t.Errorf("no advice to re-run:\n%s", printed.String())
	}
	c.primary.down = false
	r, err = c.switchTo("eu-central-1", &out, false, nil)
	if err != nil || len(r.Unreached) != 0 || c.primary.mapping != "Disabled" || c.primary.schedule != schedtypes.ScheduleStateDisabled {
		t.Fatalf("re-run: %v %+v %s", err, r, c.state())
	}
	if !strings.Contains(c.zone.target("standby"), "eu-west-1") {
		t.Errorf("standby record not set once the primary answers: %s", c.state())
	}
}

// Without a custom domain the switch prints the DR API's URL; without a
// hosted zone it prints the DNS changes to make.
func TestFailoverWithoutDomainOrZone(t *testing.T) {
	c := newCloud()
	var out bytes.Buffer
	r, err := c.switchTo("eu-central-1", &out, false, func(f *controlplane.Failover) { f.Domain, f.HostedZoneID, f.DNS = "", "", nil })
	if err != nil || r.URL != "https://abc.execute-api.eu-central-1.amazonaws.com" {
		t.Fatalf("no domain: %v %+v", err, r)
	}
	c = newCloud()
	r, err = c.switchTo("eu-central-1", &out, false, func(f *controlplane.Failover) { f.HostedZoneID, f.DNS = "", nil })
	if err != nil || len(r.Manual) != 2 || r.Manual[0] != "quorum.example.org CNAME d-eu-central-1.execute-api.eu-central-1.amazonaws.com" ||
		r.Manual[1] != "example.org MX 10 inbound-smtp.eu-central-1.amazonaws.com" {
		t.Fatalf("no zone: %v %+v", err, r)
	}
	// No SES receiving in the DR region: inbound mail stays where it is.
	c = newCloud()
	_, err = c.switchTo("eu-central-1", &out, false, func(f *controlplane.Failover) { f.To.Receipt = nil })
	if err != nil || c.dr.activeSet != "" || c.zone.mx() != "10 inbound-smtp.eu-west-1.amazonaws.com" {
		t.Fatalf("no receiving: %v %s", err, c.state())
	}
}
