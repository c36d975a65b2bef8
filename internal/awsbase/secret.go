package awsbase

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// The signing-key secret is read with one signed call (signed.go):
// Secrets Manager's GetSecretValue in its JSON 1.1 protocol, a POST to the
// service's regional endpoint naming the operation in X-Amz-Target. The
// IAM permission is the SDK client's: secretsmanager:GetSecretValue, and
// kms:Decrypt via secretsmanager.<region>.amazonaws.com.

// secretString returns the SecretString of the secret id.
func secretString(ctx context.Context, s Signed, id string) (string, error) {
	body, err := json.Marshal(struct {
		SecretID string `json:"SecretId"`
	}{id})
	if err != nil {
		return "", err
	}
	h := http.Header{}
	h.Set("Content-Type", "application/x-amz-json-1.1")
	h.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
	raw, err := s.Call(ctx, "/", h, body)
	if err != nil {
		return "", fmt.Errorf("GetSecretValue: %w", err)
	}
	var out struct {
		SecretString *string `json:"SecretString"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return "", fmt.Errorf("GetSecretValue: the answer is not JSON: %w", err)
	}
	if out.SecretString == nil {
		return "", errors.New("GetSecretValue: the secret holds no SecretString")
	}
	return *out.SecretString, nil
}
