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

	"github.com/ktune/ktune/internal/cluster"
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
address on stdout, then serves until Ctrl-C or --duration. kfake keeps records
in memory and has no disk: use it for trying tools and comparing clients, never
for sizing. It ` + cluster.EmbeddedBound + `
(older ones are dropped, as by retention.bytes), so its memory stays bounded
whatever the run length. --blackhole discards produced records altogether
(produce-only runs: nothing can be read back).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if brokers < 1 {
				return fmt.Errorf("--brokers %d: must be at least 1", brokers)
			}
			if duration <= 0 {
				return errors.New("--duration must be positive: the cluster stops by itself")
			}
			c, err := cluster.StartEmbedded(cluster.EmbeddedConfig{Brokers: brokers, Blackhole: blackhole})
			if err != nil {
				return err
			}
			defer c.Close()
			fmt.Fprintln(cmd.OutOrStdout(), strings.Join(c.Addrs(), ","))
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
