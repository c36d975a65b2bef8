// Package testcloud gives integration tests real stand-ins for AWS. When
// `make test` (or a developer) already runs a local cloud, its endpoints come
// from QUORUM_TEST_DYNAMODB_ENDPOINT / _S3_ENDPOINT / _SES_ENDPOINT; otherwise
// the first test that asks starts an ephemeral cloud for the package
// (installing the pinned tools if needed) and Run stops it after the tests.
//
// Every call to New gets its own table and buckets under a random prefix, so
// tests are isolated and may run in parallel.
package testcloud

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/quorum-app/quorum/internal/awsclient"
	"github.com/quorum-app/quorum/internal/blob"
	"github.com/quorum-app/quorum/internal/config"
	"github.com/quorum-app/quorum/internal/localcloud"
	"github.com/quorum-app/quorum/internal/memdb"
	"github.com/quorum-app/quorum/internal/tabledef"
)

// Env is one test's slice of the local cloud.
type Env struct {
	Config  config.Config
	Clients *awsclient.Clients
	// S3 is the AWS SDK's S3 client of the same stand-in, for what tests
	// inspect or do that the functions never do (versions, CORS, bucket
	// settings); the code under test calls Clients.S3.
	S3     *s3.Client
	Prefix string
	// Mem is the in-memory table of a Fast environment (nil on DynamoDB
	// Local); FastStream's records its changes as a stream.
	Mem *memdb.DB
	// streams: Mem keeps a stream (FastStream), which Follow reads.
	streams bool
}

type shared struct {
	once  sync.Once
	cloud *localcloud.Cloud
	eps   [3]string
	err   error
}

var pkg shared // one ephemeral cloud per test binary

// Run wraps testing.M: it runs the tests and stops the cloud if one was started.
// Use it from TestMain: func TestMain(m *testing.M) { os.Exit(testcloud.Run(m)) }.
func Run(m *testing.M) int {
	code := m.Run()
	if pkg.cloud != nil {
		pkg.cloud.Stop()
	}
	return code
}

func endpoints() ([3]string, error) {
	pkg.once.Do(func() {
		eps := [3]string{os.Getenv("QUORUM_TEST_DYNAMODB_ENDPOINT"), os.Getenv("QUORUM_TEST_S3_ENDPOINT"), os.Getenv("QUORUM_TEST_SES_ENDPOINT")}
		if eps[0] != "" && eps[1] != "" && eps[2] != "" {
			pkg.eps = eps
			return
		}
		wd, _ := os.Getwd()
		root, err := localcloud.FindRoot(wd)
		if err != nil {
			pkg.err = err
			return
		}
		if err := localcloud.EnsureTools(root, os.Stderr); err != nil {
			pkg.err = err
			return
		}
		var logw = os.Stderr
		if os.Getenv("QUORUM_TEST_CLOUD_LOG") == "" {
			logw = nil
		}
		opts := localcloud.Options{Root: root}
		if logw != nil {
			opts.Log = logw
		}
		c, err := localcloud.Start(context.Background(), opts)
		if err != nil {
			pkg.err = err
			return
		}
		pkg.cloud = c
		pkg.eps = [3]string{c.DynamoDBEndpoint, c.S3Endpoint, c.SESEndpoint}
	})
	return pkg.eps, pkg.err
}

// RandomPrefix returns a fresh lowercase prefix for table and bucket names.
func RandomPrefix() string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return "t" + hex.EncodeToString(b)
}

// New provisions a fresh table and buckets and returns their configuration
// and clients. Tests that cannot reach or start the stand-ins fail: they are
// never skipped.
//
// Under `go test -short` (the fast tier alone, `make test-fast`) New skips
// the test: that mode starts no stand-in. `make test` never runs short.
func New(t testing.TB) *Env {
	t.Helper()
	if testing.Short() {
		t.Skip("real tier (DynamoDB Local, S3 and SES stand-ins): runs in `make test`, not with -short")
	}
	eps, err := endpoints()
	if err != nil {
		t.Fatalf("local cloud unavailable: %v", err)
	}
	return newEnv(t, nil, eps)
}

// NewOn is New with the table on the DynamoDB Local at dynamoDBEndpoint
// instead of the shared one (the fault suite's own, which its tests pause
// and kill); S3 and SES are the shared stand-ins. Only that DynamoDB Local
// gets a table.
func NewOn(t testing.TB, dynamoDBEndpoint string) *Env {
	t.Helper()
	if testing.Short() {
		t.Skip("real tier (DynamoDB Local, S3 and SES stand-ins): runs in `make test`, not with -short")
	}
	eps, err := endpoints()
	if err != nil {
		t.Fatalf("local cloud unavailable: %v", err)
	}
	eps[0] = dynamoDBEndpoint
	return newEnv(t, nil, eps)
}

// Fast is New with nothing outside the test process: the table is in
// internal/memdb (the same conditional writes, transactions and errors as
// DynamoDB, checked by its contract suite against DynamoDB Local), S3 and
// SES are in-memory doubles served on loopback ports of this test (see
// memS3 and memSES: the S3 REST subset Quorum calls, presigned requests
// checked by their signature and expiry; SendEmail recorded as the SES
// emulator records it). It is the fast tier's environment, and no stand-in
// is started for it. A test that proves something only the real services
// can (their timing under load, an outage of an endpoint, the stream of
// DynamoDB Local, S3 features the double lacks) uses New.
func Fast(t testing.TB) *Env {
	t.Helper()
	return fast(t, memdb.Options{})
}

func fast(t testing.TB, opts memdb.Options) *Env {
	t.Helper()
	s3srv := httptest.NewServer(newMemS3(localcloud.Region))
	sessrv := httptest.NewServer(&memSES{})
	t.Cleanup(func() { s3srv.Close(); sessrv.Close() })
	// The DynamoDB endpoint is never dialled: the client is memdb.
	env := newEnv(t, memdb.New(opts), [3]string{"http://127.0.0.1:9", s3srv.URL, sessrv.URL})
	env.streams = opts.Streams
	return env
}

// FastStream is Fast whose table keeps a stream of its changes, as the
// deployed table does (memdb's records: the same INSERT/MODIFY/REMOVE
// records and images DynamoDB Streams delivers, checked against DynamoDB
// Local by memdb's tests). Feed them to the stream consumers with
// Env.Mem.Stream(Env.Config.Table, after).
func FastStream(t testing.TB) *Env {
	t.Helper()
	return fast(t, memdb.Options{Streams: true})
}

func newEnv(t testing.TB, db *memdb.DB, eps [3]string) *Env {
	t.Helper()
	prefix := RandomPrefix()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	base, _ := url.Parse("http://127.0.0.1:8080")
	cfg := config.Config{
		Env:              "local",
		Region:           localcloud.Region,
		Table:            tabledef.MainTable(prefix).Name,
		UploadsBucket:    tabledef.BucketName(prefix, "", tabledef.UploadsBucket),
		InboundBucket:    tabledef.BucketName(prefix, "", tabledef.InboundBucket),
		KMSKeyID:         "local-test-key",
		BaseURL:          base,
		MailDomain:       "quorum.test",
		MailFrom:         "Quorum <notifications@quorum.test>",
		DynamoDBEndpoint: eps[0],
		S3Endpoint:       eps[1],
		SESEndpoint:      eps[2],
		SigningKey:       key,
		ListenAddr:       "127.0.0.1:0",
		LogLevel:         "info",
		// Generous: the stand-ins are shared by every test package on a
		// loaded machine, and DynamoDB Local was seen to stall for more
		// than 30 s while several suites ran on two cores (calls in three
		// packages at once ran out of a 30 s budget). Tests of outages set
		// their own, tight values.
		AWSAttemptTimeout: 60 * time.Second,
		AWSCallBudget:     150 * time.Second,
	}
	ctx := context.Background()
	cl, err := awsclient.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if db != nil {
		cl.DynamoDB = db
	}
	sdk := localcloud.SDKS3(cl.AWS, cfg)
	if err := localcloud.Provision(ctx, cl.DynamoDB, sdk, prefix); err != nil {
		t.Fatalf("provision: %v", err)
	}
	return &Env{Config: cfg, Clients: cl, S3: sdk, Prefix: prefix, Mem: db}
}

// Describe is a one-line summary for failure messages.
func (e *Env) Describe() string {
	return fmt.Sprintf("table=%s dynamodb=%s s3=%s ses=%s", e.Config.Table, e.Config.DynamoDBEndpoint,
		e.Config.S3Endpoint, strings.TrimPrefix(e.Config.SESEndpoint, "http://"))
}

// PutPresigned sends body to a presigned upload, as a browser does, and
// fails the test unless storage accepts it.
func PutPresigned(t testing.TB, put blob.PresignedRequest, body []byte) {
	t.Helper()
	r, err := http.NewRequest(put.Method, put.URL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range put.Headers {
		r.Header.Set(k, v)
	}
	r.ContentLength = int64(len(body))
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatalf("PUT: %v", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("presigned PUT: %d", resp.StatusCode)
	}
}
