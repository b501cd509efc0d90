// Package embedded is the `ktune embedded` command: ktune's in-process kfake
// cluster on its own, for other clients (kcat, a second ktune) to use.
package embedded

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kfake"
)

// NewCmd returns the embedded command.
func NewCmd() *cobra.Command {
	var (
		brokers   int
		duration  time.Duration
		blackhole bool
	)
	cmd := &cobra.Command{
		Use:   "embedded",
		Short: "Run the embedded kfake cluster on its own, for other clients",
		Long: `Starts ktune's in-process kfake cluster on 127.0.0.1 and prints its bootstrap
address on stdout, then serves until Ctrl-C or --duration. kfake keeps every
record in memory and has no disk: use it for trying tools and comparing
clients, never for sizing. --blackhole discards produced records, so a long
produce run does not grow the cluster's memory.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if brokers < 1 {
				return fmt.Errorf("--brokers %d: must be at least 1", brokers)
			}
			if duration <= 0 {
				return errors.New("--duration must be positive: the cluster stops by itself")
			}
			opts := []kfake.Opt{kfake.NumBrokers(brokers)}
			if blackhole {
				opts = append(opts, kfake.BlackholeProduce())
			}
			c, err := kfake.NewCluster(opts...)
			if err != nil {
				return fmt.Errorf("starting the embedded cluster: %w", err)
			}
			defer c.Close()
			fmt.Fprintln(cmd.OutOrStdout(), strings.Join(c.ListenAddrs(), ","))
			ctx, cancel := context.WithTimeout(cmd.Context(), duration)
			defer cancel()
			<-ctx.Done()
			return nil
		},
	}
	cmd.Flags().IntVar(&brokers, "brokers", 3, "number of brokers")
	cmd.Flags().DurationVar(&duration, "duration", time.Hour, "stop after this long")
	cmd.Flags().BoolVar(&blackhole, "blackhole", false, "accept produced records without storing them")
	return cmd
}
