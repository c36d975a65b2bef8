// Package tabledef is the single source of truth for Quorum's storage
// resources: the DynamoDB table's key schema, indexes and TTL attribute, and
// the S3 buckets. The CDK stack (infra/) and the local cloud (make dev, tests)
// both build their resources from these values, so the two never drift.
//
// It deliberately imports nothing from the AWS SDK or CDK so that both sides
// can depend on it cheaply.
package tabledef

import "strings"

// Attribute names of the single table. Every item has PK and SK; items that
// belong to a secondary access pattern also carry GSI1PK/GSI1SK or
// GSI2PK/GSI2SK. Ephemeral items carry TTL (epoch seconds).
const (
	PK           = "PK"
	SK           = "SK"
	GSI1PK       = "GSI1PK"
	GSI1SK       = "GSI1SK"
	GSI2PK       = "GSI2PK"
	GSI2SK       = "GSI2SK"
	TTLAttribute = "TTL"
	Version      = "Version"
)

// Index names.
const (
	GSI1 = "GSI1"
	GSI2 = "GSI2"
)

// KeyType is the DynamoDB scalar type of a key attribute.
type KeyType string

// Key attribute types used by the table (all keys are strings).
const (
	String KeyType = "S"
)

// Key names one key attribute and its type.
type Key struct {
	Name string
	Type KeyType
}

// Index is a global secondary index projecting all attributes.
type Index struct {
	Name         string
	PartitionKey Key
	SortKey      Key
}

// Table describes the single table.
type Table struct {
	// Name is the physical table name for a given deployment prefix.
	Name         string
	PartitionKey Key
	SortKey      Key
	Indexes      []Index
	// TTLAttribute holds the epoch-second expiry of ephemeral items.
	TTLAttribute string
	// Stream is true when the product consumes the table's change stream
	// (NEW_AND_OLD_IMAGES).
	Stream bool
}

// MainTable returns the definition of the table for the deployment prefix
// (for example "quorum" in the cloud, "quorum-dev" locally).
func MainTable(prefix string) Table {
	return Table{
		Name:         prefix + "-main",
		PartitionKey: Key{PK, String},
		SortKey:      Key{SK, String},
		Indexes: []Index{
			{Name: GSI1, PartitionKey: Key{GSI1PK, String}, SortKey: Key{GSI1SK, String}},
			{Name: GSI2, PartitionKey: Key{GSI2PK, String}, SortKey: Key{GSI2SK, String}},
		},
		TTLAttribute: TTLAttribute,
		Stream:       true, // functions/mailer consumes it (notification email)
	}
}

// Bucket describes one S3 bucket by its role.
type Bucket struct {
	// Role is the stable, logical name ("uploads", "inbound").
	Role string
	// Name is the physical bucket name.
	Name string
	// Purpose is a one-line description used in docs and the security page.
	Purpose string
}

// Bucket roles.
const (
	UploadsBucket = "uploads"
	InboundBucket = "inbound"
)

// Buckets returns the product's buckets. suffix distinguishes deployments
// that share a namespace (S3 names are global: the cloud passes the account
// and region, local passes nothing).
func Buckets(prefix, suffix string) []Bucket {
	name := func(role string) string {
		parts := []string{prefix, role}
		if suffix != "" {
			parts = append(parts, suffix)
		}
		return strings.ToLower(strings.Join(parts, "-"))
	}
	return []Bucket{
		{Role: UploadsBucket, Name: name(UploadsBucket), Purpose: "files attached to threads, comments and polls"},
		{Role: InboundBucket, Name: name(InboundBucket), Purpose: "raw inbound email (MIME) received by SES"},
	}
}

// BucketName returns the physical name of the bucket with the given role.
func BucketName(prefix, suffix, role string) string {
	for _, b := range Buckets(prefix, suffix) {
		if b.Role == role {
			return b.Name
		}
	}
	return ""
}
