package reaction

import "testing"

func TestAllowList(t *testing.T) {
	if len(Names) != len(Emoji) {
		t.Fatalf("%d names for %d emoji", len(Names), len(Emoji))
	}
	for _, n := range Names {
		if !Valid(n) || Emoji[n] == "" {
			t.Errorf("%s is listed but not allowed", n)
		}
	}
	if Valid("") || Valid("R_thumbsup") || Valid("skull") {
		t.Error("names outside the allow-list pass")
	}
	if Attr("heart") != "R_heart" {
		t.Errorf("attribute %q", Attr("heart"))
	}
}
