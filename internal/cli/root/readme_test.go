package root

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEWorkedExample runs the README advisor section's first command
// (the tuning notes' worked example) and finds the headline the README
// quotes in what it prints, byte for byte.
func TestREADMEWorkedExample(t *testing.T) {
	data, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	var command string
	for _, line := range strings.Split(readme, "\n") {
		if strings.HasPrefix(line, "ktune advise --records-per-day 100000000 ") {
			command = line
			break
		}
	}
	start := strings.Index(readme, "<!-- advisor-sizing-model: start")
	quoted := readme[start:]
	quoted = quoted[strings.Index(quoted, "```text\n")+len("```text\n"):]
	quoted = quoted[:strings.Index(quoted, "\n```")]
	if command == "" || start < 0 || quoted == "" {
		t.Fatalf("the README's worked example is gone (command %q)", command)
	}
	out, errOut, err := run(t, append(strings.Fields(command)[1:], "--out", "-")...)
	if err != nil {
		t.Fatalf("%s: %v\n%s", command, err, errOut)
	}
	if !strings.Contains(out, quoted) {
		t.Errorf("%s prints\n%s\nnot what the README quotes:\n%s", command, out, quoted)
	}
	for _, figure := range []string{"**3 brokers**", "**857.14 GB of disk**", "**11 GB of memory per broker**", "**5 partitions per topic**"} {
		if !strings.Contains(quoted, figure) {
			t.Errorf("the quoted headline lacks %s", figure)
		}
	}
}
