package authz

import (
	"reflect"
	"testing"
)

// TestPolicyTypesKnowNoStorage: the policy's types carry no storage tags;
// the package that stores a fact maps its rows to these types.
func TestPolicyTypesKnowNoStorage(t *testing.T) {
	for _, v := range []any{Flags{}, GroupFacts{}, Target{}, GuestGrant{}, Actor{}} {
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			if tag, ok := rt.Field(i).Tag.Lookup("dynamo"); ok {
				t.Errorf("%s.%s has the storage tag dynamo:%q", rt.Name(), rt.Field(i).Name, tag)
			}
		}
	}
}
