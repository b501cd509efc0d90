package procnode

import "testing"

func TestExpand(t *testing.T) {
	env := map[string]string{"ID": "2", "EMPTY": ""}
	for _, tc := range []struct{ in, want string }{
		{"--worker-id=$(ID)", "--worker-id=2"},
		{"$(ID)$(ID)", "22"},
		{"$(MISSING)", "$(MISSING)"},
		{"a$(EMPTY)b", "ab"},
		{"$$(ID)", "$(ID)"},
		{"cost $5", "cost $5"},
		{"open $(ID", "open $(ID"},
		{"end$", "end$"},
		{"plain", "plain"},
	} {
		if got := expand(tc.in, env); got != tc.want {
			t.Errorf("expand(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
