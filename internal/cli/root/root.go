// Package root assembles ktune's command tree.
package root

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ktune/ktune/internal/cli/advise"
	"github.com/ktune/ktune/internal/cli/cmdutil"
	"github.com/ktune/ktune/internal/cli/compare"
	"github.com/ktune/ktune/internal/cli/config"
	"github.com/ktune/ktune/internal/cli/consume"
	"github.com/ktune/ktune/internal/cli/disrupt"
	"github.com/ktune/ktune/internal/cli/e2e"
	"github.com/ktune/ktune/internal/cli/embedded"
	"github.com/ktune/ktune/internal/cli/k8s"
	"github.com/ktune/ktune/internal/cli/maxrate"
	"github.com/ktune/ktune/internal/cli/merge"
	"github.com/ktune/ktune/internal/cli/probe"
	"github.com/ktune/ktune/internal/cli/produce"
	"github.com/ktune/ktune/internal/cli/profiles"
	"github.com/ktune/ktune/internal/cli/report"
	"github.com/ktune/ktune/internal/cli/sweep"
	"github.com/ktune/ktune/internal/cli/tune"
	"github.com/ktune/ktune/internal/cli/version"
)

// NewCmd returns the root command for a ktune of the given version.
func NewCmd(v string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ktune",
		Short: "Benchmark Apache Kafka and learn how to size and tune it",
		Long: `ktune runs producer, consumer and end-to-end stress tests against Kafka with
open-model latency, and writes each run as a versioned JSON result document.

Without --brokers every command runs on an embedded in-process cluster (kfake):
good for trying ktune, never a measurement of a real broker.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// Progress lines and logs reach stderr from several goroutines.
		PersistentPreRun: func(cmd *cobra.Command, _ []string) {
			cmd.Root().SetErr(cmdutil.SyncWriter(cmd.Root().ErrOrStderr()))
		},
	}
	cmdutil.LogLevelFlag(cmd.PersistentFlags())
	cmd.AddCommand(tune.NewCmd(v), report.NewCmd(), produce.NewCmd(v), consume.NewCmd(v), e2e.NewCmd(v), embedded.NewCmd(), probe.NewCmd(v),
		sweep.NewCmd(v), maxrate.NewCmd(v), advise.NewCmd(v), profiles.NewCmd(), compare.NewCmd(v), merge.NewCmd(v), disrupt.NewCmd(v), disrupt.NewDrainCmd(v), k8s.NewCmd(v), config.NewCmd(), version.NewCmd(v))
	cmd.InitDefaultCompletionCmd()
	refuseUnknownSubcommands(cmd)
	return cmd
}

// refuseUnknownSubcommands makes every command that only groups
// subcommands (config, profiles, k8s, completion, ...) exit 1 with one
// line for a subcommand it does not have, instead of printing its help
// and exiting 0 as cobra does. Without arguments it still prints its help.
func refuseUnknownSubcommands(cmd *cobra.Command) {
	for _, c := range cmd.Commands() {
		refuseUnknownSubcommands(c)
	}
	if cmd == cmd.Root() || !cmd.HasSubCommands() || cmd.Runnable() {
		return
	}
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return c.Help()
		}
		names := []string{}
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() {
				names = append(names, sub.Name())
			}
		}
		return fmt.Errorf("unknown command %q for %q: must be one of %s", args[0], c.CommandPath(), strings.Join(names, ", "))
	}
}
