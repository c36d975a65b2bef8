package group

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/quorum-app/quorum/internal/authz"
)

// TestStoredFlagsMapEveryFlag: each of the policy's flags survives the trip
// through its stored form on its own, under the attribute name groups
// already in the table carry (the Go field name authz.Flags had as its tag).
func TestStoredFlagsMapEveryFlag(t *testing.T) {
	ft := reflect.TypeOf(authz.Flags{})
	if st := reflect.TypeOf(StoredFlags{}); st.NumField() != ft.NumField() {
		t.Fatalf("authz.Flags has %d flags, StoredFlags %d", ft.NumField(), st.NumField())
	}
	for i := range ft.NumField() {
		name := ft.Field(i).Name
		var f authz.Flags
		reflect.ValueOf(&f).Elem().Field(i).SetBool(true)
		if back := storeFlags(f).Flags(); back != f {
			t.Errorf("%s: stored and read back as %+v", name, back)
		}
		av, err := dynamo.MarshalItem(storeFlags(f))
		if err != nil {
			t.Fatal(err)
		}
		for attr, v := range av {
			if _, isField := ft.FieldByName(attr); !isField {
				t.Errorf("stored attribute %q names no flag", attr)
			}
			b, isBool := v.(*types.AttributeValueMemberBOOL)
			if want := attr == name; !isBool || b.Value != want {
				t.Errorf("%s set: attribute %s stored as %v", name, attr, v)
			}
		}
		if len(av) != ft.NumField() {
			t.Errorf("%d attributes stored, want %d", len(av), ft.NumField())
		}
	}
}
