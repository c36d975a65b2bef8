package stack

import "time"

// Trigger is what invokes a function.
type Trigger string

// Triggers the stack knows how to wire. Adding functions/<name> plus one
// FunctionSpec with one of these triggers is all a new function needs.
const (
	// TriggerHTTPAPI: the HTTP API's $default route (synchronous).
	TriggerHTTPAPI Trigger = "http-api"
	// TriggerSchedule: EventBridge Scheduler every Spec.Every (asynchronous).
	TriggerSchedule Trigger = "schedule"
	// TriggerInboundMail: the SES receipt rule, after it stores the raw
	// message in the inbound bucket (asynchronous). Needs a mail domain.
	TriggerInboundMail Trigger = "ses-inbound"
	// TriggerSESEvents: bounce/complaint/delivery events of the SES
	// configuration set, through an SNS topic (asynchronous). Needs a mail domain.
	TriggerSESEvents Trigger = "ses-events"
	// TriggerTableStream: the table's stream, through one event source
	// mapping with partial-batch failures and an SQS (KMS) on-failure
	// destination, filtered to the records some consumer wants: newly
	// written outbox jobs (notification items with GSI2PK=OUTBOX#<shard>) and the
	// threads, comments, polls, ballots and outcomes the search index
	// follows (internal/cores/consumers). One function reads the stream and
	// dispatches (internal/stream); outbox retries with backoff are swept by
	// the scheduler, the index is repaired by a backfill.
	TriggerTableStream Trigger = "table-stream"
)

// Async reports whether the trigger invokes the function asynchronously
// (and so the function gets a dead-letter queue).
func (t Trigger) Async() bool { return t != TriggerHTTPAPI }

// Access is a permission a function needs. Each maps to explicit IAM actions
// on named resources (see grantAccess); there are no wildcard actions.
type Access string

// Permissions.
const (
	TableReadWrite   Access = "table-rw"     // items of the table and its indexes
	UploadsReadWrite Access = "uploads-rw"   // objects of the uploads bucket (presigned URLs too)
	InboundRead      Access = "inbound-read" // raw mail in the inbound bucket
	SendMail         Access = "ses-send"     // send through the configuration set from the mail domain
	TableStreamRead  Access = "table-stream" // read the table's change stream (event source mapping)
)

// FunctionSpec describes one Lambda function built from functions/<Name>.
type FunctionSpec struct {
	// Name is the folder under functions/ and the suffix of the physical name.
	Name        string
	Description string
	MemoryMB    int
	Timeout     time.Duration
	// ReservedConcurrency caps parallel executions (protects the table and
	// bounds cost under abuse).
	ReservedConcurrency int
	Trigger             Trigger
	// Every is the schedule period of TriggerSchedule.
	Every  time.Duration
	Access []Access
}

// Functions lists every function of the product: one entry per folder in
// functions/ (a test fails when a folder has no entry, or an entry has no
// folder). To add a function: create functions/<name>, add its spec here.
//
// Triggers that need a mail domain (ses-inbound, ses-events) are wired
// only when the configuration has one; the functions deploy regardless.
var Functions = []FunctionSpec{
	{
		Name:        "scheduler",
		Description: "Every 5 minutes: close and freeze due polls, reminders, purge deleted threads",
		MemoryMB:    256,
		Timeout:     2 * time.Minute,
		// One run at a time: runs are idempotent, and overlapping runs would
		// only contend on the same items.
		ReservedConcurrency: 1,
		Trigger:             TriggerSchedule,
		Every:               5 * time.Minute,
		// Uploads: data exports are written, zipped and deleted under
		// exports/ (facts.ExportsPrefix) by the scheduler's steps.
		Access: []Access{TableReadWrite, UploadsReadWrite, SendMail},
	},
	{
		Name:                "api",
		Description:         "HTTP API: web app and JSON API",
		MemoryMB:            1024,
		Timeout:             29 * time.Second,
		ReservedConcurrency: 50,
		Trigger:             TriggerHTTPAPI,
		Access:              []Access{TableReadWrite, UploadsReadWrite, SendMail},
	},
	{
		Name:        "mailer",
		Description: "Reads the table stream: delivers notification email as soon as a job is written, keeps the search index",
		// The search analysers (bleve) run here: more memory is more CPU.
		MemoryMB: 512,
		Timeout:  time.Minute,
		// Bounds the sending rate to what SES and the table comfortably take;
		// a backlog waits in the stream and the scheduler's sweep.
		ReservedConcurrency: 5,
		Trigger:             TriggerTableStream,
		Access:              []Access{TableReadWrite, TableStreamRead, SendMail},
	},
	{
		Name:                "inbound",
		Description:         "Processes received mail: replies, votes and mail to groups (SES receipt rule)",
		MemoryMB:            512,
		Timeout:             time.Minute,
		ReservedConcurrency: 10,
		Trigger:             TriggerInboundMail,
		Access:              []Access{TableReadWrite, InboundRead, UploadsReadWrite, SendMail},
	},
	{
		Name:                "ses-events",
		Description:         "Suppresses addresses that bounced or complained (SES configuration-set events via SNS)",
		MemoryMB:            256,
		Timeout:             30 * time.Second,
		ReservedConcurrency: 5,
		Trigger:             TriggerSESEvents,
		Access:              []Access{TableReadWrite},
	},
}
