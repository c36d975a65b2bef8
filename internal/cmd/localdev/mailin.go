package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/quorum-app/quorum/internal/app"
	"github.com/quorum-app/quorum/internal/awsclient"
	"github.com/quorum-app/quorum/internal/inbox"
	"github.com/quorum-app/quorum/internal/localcloud"
	"github.com/quorum-app/quorum/internal/server"
)

// mailIn is `localdev mail-in EML [TO]` (make mail-in): it puts the raw
// message into the local inbound bucket the way the SES receipt rule does
// and runs the inbound mail service on it, printing the outcome. TO is the
// envelope recipient (default: the message's To and Cc). The SES verdicts
// pass unless VERDICTS=fail (a forged sender).
func mailIn(emlPath, to string) error {
	l, err := setup()
	if err != nil {
		return err
	}
	raw, err := os.ReadFile(emlPath)
	if err != nil {
		return err
	}
	ctx := context.Background()
	var cloud *localcloud.Cloud
	var st8 state
	if b, err := os.ReadFile(filepath.Join(l.data, "dev.json")); err == nil && json.Unmarshal(b, &st8) == nil &&
		localcloud.Answering(ctx, st8.S3Endpoint) && localcloud.Answering(ctx, st8.DynamoDBEndpoint) {
		cloud = &localcloud.Cloud{DynamoDBEndpoint: st8.DynamoDBEndpoint, S3Endpoint: st8.S3Endpoint, SESEndpoint: st8.SESEndpoint}
	} else {
		fmt.Fprintln(os.Stderr, "make dev is not running: starting the local cloud for this message ...")
		if cloud, err = localcloud.Start(ctx, localcloud.Options{Root: l.root, DataDir: l.data, Ports: l.ports}); err != nil {
			return err
		}
		defer cloud.Stop()
	}
	key, err := signingKey(l.data)
	if err != nil {
		return err
	}
	cfg := localConfig(cloud, key, l.apiPort)
	clients, err := awsclient.New(ctx, cfg)
	if err != nil {
		return err
	}
	if err := localcloud.Provision(ctx, clients.DynamoDB, clients.S3, Prefix); err != nil {
		return err
	}
	a, err := app.NewAPI(ctx, cfg, server.NewLogger(os.Stderr, "warn"))
	if err != nil {
		return err
	}
	verdicts := inbox.PassingVerdicts()
	if strings.EqualFold(os.Getenv("VERDICTS"), "fail") {
		verdicts = inbox.FailingVerdicts()
	}
	var rcpt []string
	if to != "" {
		rcpt = strings.Split(to, ",")
	}
	out, err := a.Inbox.Inject(ctx, raw, rcpt, verdicts)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
