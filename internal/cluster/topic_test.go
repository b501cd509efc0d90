package cluster

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
)

// TestWaitLeaders waits for the leaders of a topic the embedded cluster
// has, of some of its partitions, and of a topic it does not have, which
// lasts until the context ends.
func TestWaitLeaders(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := Open(ctx, Config{EmbeddedBrokers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.EnsureTopic(ctx, TopicSpec{Name: "t", Partitions: 3}); err != nil {
		t.Fatal(err)
	}
	cl, err := conn.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)

	for _, tc := range []struct {
		name       string
		topic      string
		partitions []int32
		through    bool
		wantParts  int
		wantErr    error
	}{
		{"every partition", "t", nil, false, 3, nil},
		{"some partitions", "t", []int32{1, 2}, true, 3, nil},
		{"missing topic", "absent", nil, false, 0, context.DeadlineExceeded},
		{"missing topic through errors", "absent", nil, true, 0, context.DeadlineExceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wctx, wcancel := context.WithTimeout(ctx, 500*time.Millisecond)
			defer wcancel()
			top, missing, err := WaitLeaders(wctx, adm, tc.topic, tc.partitions, tc.through)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if top.Partitions != tc.wantParts || missing != 0 {
				t.Errorf("got %d partitions, %d without a leader; want %d and 0", top.Partitions, missing, tc.wantParts)
			}
		})
	}
}
