package cmdutil

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/result"
)

// RunFlags bound a whole command.
type RunFlags struct {
	Timeout time.Duration
}

// Register adds the run flags to cmd.
func (r *RunFlags) Register(cmd *cobra.Command) {
	cmd.Flags().DurationVar(&r.Timeout, "timeout", 30*time.Minute, "hard bound on the whole run, connection and flush included")
}

// Validate checks the run flags before any work starts.
func (r *RunFlags) Validate() error {
	if r.Timeout < 0 {
		return fmt.Errorf("--timeout %s: must be positive (0: no bound)", r.Timeout)
	}
	return nil
}

// Context returns ctx bounded by --timeout.
func (r *RunFlags) Context(ctx context.Context) (context.Context, context.CancelFunc) {
	if r.Timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, r.Timeout)
}

// StampTopic records the topic's layout in doc's workload.
func StampTopic(doc *result.Document, t cluster.Topic, spec cluster.TopicSpec) {
	doc.Workload.Partitions = t.Partitions
	doc.Workload.ReplicationFactor = t.ReplicationFactor
	doc.Workload.TopicCreated = t.Created
	if t.Created && len(spec.Configs) > 0 {
		doc.Workload.TopicConfig = spec.Configs
	}
}
