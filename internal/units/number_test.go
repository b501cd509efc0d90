package units

import "testing"

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		in   float64
		want string
	}{
		{1166400, "1166400"},
		{1.99954285714e8, "199954285.71"},
		{857.142857, "857.14"},
		{3, "3"},
		{0.5, "0.5"},
		{0.0011574074, "0.00116"},
		{0.000001157, "0.00000116"},
		{-0.0123456, "-0.0123"},
		{0, "0"},
	} {
		if got := Format(c.in); got != c.want {
			t.Errorf("Format(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}
