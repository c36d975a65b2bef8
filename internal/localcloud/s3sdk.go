package localcloud

import (
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/quorum-app/quorum/internal/awsbase"
	"github.com/quorum-app/quorum/internal/config"
)

// SDKS3 is the AWS SDK's S3 client of c on the SDK configuration cfg, for
// what only tools and tests do to buckets (Provision: create them, turn on
// versioning, set CORS; tests that inspect versions). The functions call
// S3 through internal/objstore and link no SDK S3 client.
func SDKS3(cfg aws.Config, c config.Config) *s3.Client {
	attempt := awsbase.AttemptTimeout(c)
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.HTTPClient = awshttp.NewBuildableClient().WithDialerOptions(awsbase.Dial(attempt)).
			WithTransportOptions(func(t *http.Transport) { t.ResponseHeaderTimeout = attempt }).WithReadTimeout(attempt)
		if c.S3Endpoint != "" {
			o.BaseEndpoint = aws.String(c.S3Endpoint)
			o.UsePathStyle = true
		}
		// versitygw and S3 both accept checksums only when asked for.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
}
