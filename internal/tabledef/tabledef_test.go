package tabledef

import "testing"

func TestMainTable(t *testing.T) {
	tb := MainTable("quorum")
	if tb.Name != "quorum-main" || tb.PartitionKey.Name != PK || tb.SortKey.Name != SK {
		t.Fatalf("unexpected table %+v", tb)
	}
	if tb.TTLAttribute != TTLAttribute {
		t.Fatalf("ttl attribute %q", tb.TTLAttribute)
	}
	seen := map[string]bool{}
	for _, ix := range tb.Indexes {
		if seen[ix.Name] {
			t.Fatalf("duplicate index %s", ix.Name)
		}
		seen[ix.Name] = true
		if ix.PartitionKey.Name == "" || ix.SortKey.Name == "" {
			t.Fatalf("index %s lacks keys", ix.Name)
		}
	}
}

func TestBuckets(t *testing.T) {
	cases := []struct{ prefix, suffix, role, want string }{
		{"quorum-dev", "", UploadsBucket, "quorum-dev-uploads"},
		{"Quorum", "123456789012-eu-west-1", InboundBucket, "quorum-inbound-123456789012-eu-west-1"},
		{"quorum", "", "nope", ""},
	}
	for _, c := range cases {
		if got := BucketName(c.prefix, c.suffix, c.role); got != c.want {
			t.Errorf("BucketName(%q,%q,%q) = %q, want %q", c.prefix, c.suffix, c.role, got, c.want)
		}
	}
}
