package awsclient

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/quorum-app/quorum/internal/awsbase"
	"github.com/quorum-app/quorum/internal/config"
	"github.com/quorum-app/quorum/internal/metering"
)

// SES sends email: SES v2's SendEmail with raw content, the one SES
// operation Quorum calls (internal/mail), as a signed call of Quorum's own
// (awsbase.Signed) instead of the SDK's sesv2 client, whose package,
// schemas (built at every cold start), endpoint rules and types cost each
// function that sends email about 0.4 MB (docs/architecture.md, "Ninth
// pass"). It is the call the SDK made: POST /v2/email/outbound-emails on
// email.<region>.amazonaws.com (or c.SESEndpoint), signed for "ses", with
// the IAM permission ses:SendRawEmail/SendEmail as before, the same
// retries, attempt timeout and call budget, and counted by the metering
// of the call's context as service SESv2.
type SES struct {
	call awsbase.Signed
}

// NewSES builds the SES sender of c on the SDK configuration cfg (its
// region and credentials).
func NewSES(cfg aws.Config, c config.Config) *SES {
	ep := awsbase.Endpoint("email", cfg.Region)
	if c.SESEndpoint != "" {
		ep = c.SESEndpoint
	}
	return &SES{call: awsbase.NewSigned(cfg, c, "ses", ep)}
}

// sendEmailInput is SendEmail's request, the fields Quorum sets.
type sendEmailInput struct {
	FromEmailAddress     string       `json:"FromEmailAddress,omitempty"`
	Destination          *destination `json:"Destination,omitempty"`
	Content              content      `json:"Content"`
	ConfigurationSetName string       `json:"ConfigurationSetName,omitempty"`
}

type destination struct {
	ToAddresses []string `json:"ToAddresses,omitempty"`
}

type content struct {
	Raw struct {
		// Data is base64 in JSON, as encoding/json writes []byte.
		Data []byte `json:"Data"`
	} `json:"Raw"`
}

// SendRaw sends the MIME message raw from from to to, in the
// configuration set configSet (none when ""), and returns SES's message
// id (mail.SESAPI).
func (s *SES) SendRaw(ctx context.Context, from string, to []string, configSet string, raw []byte) (string, error) {
	in := sendEmailInput{FromEmailAddress: from, ConfigurationSetName: configSet}
	if len(to) > 0 {
		in.Destination = &destination{ToAddresses: to}
	}
	in.Content.Raw.Data = raw
	body, err := json.Marshal(in)
	if err != nil {
		return "", err
	}
	done := metering.Observe(ctx, "SESv2", "SendEmail", nil)
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	out, err := s.call.Call(ctx, "/v2/email/outbound-emails", h, body)
	done(nil)
	if err != nil {
		return "", fmt.Errorf("SES SendEmail: %w", err)
	}
	var res struct {
		MessageID string `json:"MessageId"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return "", fmt.Errorf("SES SendEmail: the answer is not JSON: %w", err)
	}
	return res.MessageID, nil
}
