package localcloud

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	stypes "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/quorum-app/quorum/internal/tabledef"
)

// CreateTableInput translates a tabledef.Table into the DynamoDB API call
// (on-demand billing, all indexes projecting every attribute).
func CreateTableInput(t tabledef.Table) *dynamodb.CreateTableInput {
	attrs := map[string]dtypes.ScalarAttributeType{}
	key := func(k tabledef.Key, kt dtypes.KeyType) dtypes.KeySchemaElement {
		attrs[k.Name] = dtypes.ScalarAttributeType(k.Type)
		return dtypes.KeySchemaElement{AttributeName: aws.String(k.Name), KeyType: kt}
	}
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(t.Name),
		BillingMode: dtypes.BillingModePayPerRequest,
		KeySchema:   []dtypes.KeySchemaElement{key(t.PartitionKey, dtypes.KeyTypeHash), key(t.SortKey, dtypes.KeyTypeRange)},
	}
	for _, ix := range t.Indexes {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, dtypes.GlobalSecondaryIndex{
			IndexName:  aws.String(ix.Name),
			KeySchema:  []dtypes.KeySchemaElement{key(ix.PartitionKey, dtypes.KeyTypeHash), key(ix.SortKey, dtypes.KeyTypeRange)},
			Projection: &dtypes.Projection{ProjectionType: dtypes.ProjectionTypeAll},
		})
	}
	for name, typ := range attrs {
		in.AttributeDefinitions = append(in.AttributeDefinitions, dtypes.AttributeDefinition{AttributeName: aws.String(name), AttributeType: typ})
	}
	if t.Stream {
		in.StreamSpecification = &dtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: dtypes.StreamViewTypeNewAndOldImages}
	}
	return in
}

// TableAPI is the part of the DynamoDB API that provisioning needs: the SDK
// client or the in-memory DynamoDB of internal/memdb.
type TableAPI interface {
	DescribeTable(context.Context, *dynamodb.DescribeTableInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	CreateTable(context.Context, *dynamodb.CreateTableInput, ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	UpdateTimeToLive(context.Context, *dynamodb.UpdateTimeToLiveInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error)
}

// EnsureTable creates the table (and its TTL setting) unless it exists.
func EnsureTable(ctx context.Context, db TableAPI, t tabledef.Table) error {
	_, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(t.Name)})
	var nf *dtypes.ResourceNotFoundException
	switch {
	case err == nil:
		return nil
	case !errors.As(err, &nf):
		return fmt.Errorf("describe table %s: %w", t.Name, err)
	}
	if _, err := db.CreateTable(ctx, CreateTableInput(t)); err != nil {
		var inUse *dtypes.ResourceInUseException
		if !errors.As(err, &inUse) {
			return fmt.Errorf("create table %s: %w", t.Name, err)
		}
	}
	w := dynamodb.NewTableExistsWaiter(db, func(o *dynamodb.TableExistsWaiterOptions) { o.MinDelay = 100 * time.Millisecond })
	if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(t.Name)}, 30*time.Second); err != nil {
		return fmt.Errorf("wait for table %s: %w", t.Name, err)
	}
	if t.TTLAttribute != "" {
		_, err := db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
			TableName:               aws.String(t.Name),
			TimeToLiveSpecification: &dtypes.TimeToLiveSpecification{AttributeName: aws.String(t.TTLAttribute), Enabled: aws.Bool(true)},
		})
		if err != nil {
			return fmt.Errorf("enable TTL on %s: %w", t.Name, err)
		}
	}
	return nil
}

// EnsureBucket creates a versioned bucket unless it exists.
func EnsureBucket(ctx context.Context, s3c *s3.Client, name string) error {
	if _, err := s3c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(name)}); err == nil {
		return nil
	}
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		var owned *stypes.BucketAlreadyOwnedByYou
		if !errors.As(err, &owned) {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	_, err := s3c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
		Bucket:                  aws.String(name),
		VersioningConfiguration: &stypes.VersioningConfiguration{Status: stypes.BucketVersioningStatusEnabled},
	})
	if err != nil {
		return fmt.Errorf("enable versioning on %s: %w", name, err)
	}
	return nil
}

// UploadsCors is the uploads bucket's CORS configuration, as in the cloud
// (infra/stack): browsers on appOrigins may PUT presigned attachments with
// the signed headers, and nothing else.
func UploadsCors(appOrigins ...string) *stypes.CORSConfiguration {
	return &stypes.CORSConfiguration{CORSRules: []stypes.CORSRule{{
		ID:             aws.String("browser-upload"),
		AllowedMethods: []string{"PUT"},
		AllowedOrigins: appOrigins,
		AllowedHeaders: tabledef.UploadCorsHeaders,
		MaxAgeSeconds:  aws.Int32(3600),
	}}}
}

// EnsureUploadsCors sets the CORS rule of the uploads bucket so that pages
// of appOrigins (scheme://host:port of the app) can PUT attachments straight
// to it. It replaces any previous rule.
func EnsureUploadsCors(ctx context.Context, s3c *s3.Client, bucket string, appOrigins ...string) error {
	if len(appOrigins) == 0 {
		return errors.New("uploads bucket CORS: no app origin")
	}
	if _, err := s3c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String(bucket), CORSConfiguration: UploadsCors(appOrigins...)}); err != nil {
		return fmt.Errorf("set CORS on %s: %w", bucket, err)
	}
	return nil
}

// Provision creates the table and every bucket of the deployment prefix and,
// given the app's origins, lets pages from them upload to the uploads bucket.
func Provision(ctx context.Context, db TableAPI, s3c *s3.Client, prefix string, appOrigins ...string) error {
	if err := EnsureTable(ctx, db, tabledef.MainTable(prefix)); err != nil {
		return err
	}
	for _, b := range tabledef.Buckets(prefix, "") {
		if err := EnsureBucket(ctx, s3c, b.Name); err != nil {
			return err
		}
		if b.Role == tabledef.UploadsBucket && len(appOrigins) > 0 {
			if err := EnsureUploadsCors(ctx, s3c, b.Name, appOrigins...); err != nil {
				return err
			}
		}
	}
	return nil
}
