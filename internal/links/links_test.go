package links

import "testing"

func TestPaths(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{Thread("t1"), "/threads/t1"},
		{Comment("t1", "c1"), "/threads/t1?comment=c1#c-c1"},
		{Comment("t1", "c1", "commented"), "/threads/t1?comment=c1&done=commented#c-c1"},
		{Comment("t/1", "c 1"), "/threads/t%2F1?comment=c+1#c-c%201"},
		{Poll("p1"), "/polls/p1"},
		{Group("g1"), "/groups/g1"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
