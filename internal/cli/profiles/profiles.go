// Package profiles is the `ktune profiles` command.
package profiles

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ktune/ktune/internal/profiles"
)

// NewCmd returns the profiles command with list and show.
func NewCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "profiles",
		Short: "List and show named configuration profiles",
		Long: `Profiles are named producer, consumer and topic settings in Kafka's Java
property names: kafka-defaults (the Java client defaults), throughput,
latency, durability, balanced, and textbook (the classic one-setting-at-a-time
sweep). Add your own YAML files with --profile-dir or pass a path.`,
	}
	cmd.PersistentFlags().StringVar(&dir, "profile-dir", "", "folder of your own profiles")
	dirs := func() []string {
		if dir == "" {
			return nil
		}
		return []string{dir}
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List the profiles",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ps, err := profiles.List(dirs()...)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "name\tsource\ttrade-off")
			for _, p := range ps {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", p.Name, p.Source, p.Description)
			}
			return tw.Flush()
		},
	}, &cobra.Command{
		Use:   "show NAME",
		Short: "Show one profile's settings",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := profiles.Load(args[0], dirs()...)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "# %s (%s)\n# %s\n", p.Name, p.Source, p.Description)
			section := func(name string, kvs []string) {
				if len(kvs) > 0 {
					fmt.Fprintf(w, "\n[%s]\n%s\n", name, strings.Join(kvs, "\n"))
				}
			}
			section("producer", profiles.Kvs(p.Producer))
			section("consumer", profiles.Kvs(p.Consumer))
			var topic []string
			if p.Topic.Partitions > 0 {
				topic = append(topic, fmt.Sprintf("partitions=%d", p.Topic.Partitions))
			}
			if p.Topic.ReplicationFactor > 0 {
				topic = append(topic, fmt.Sprintf("replication_factor=%d", p.Topic.ReplicationFactor))
			}
			for k, v := range p.Topic.Configs {
				topic = append(topic, k+"="+v)
			}
			section("topic", topic)
			if p.Sweep != nil {
				var dims []string
				for _, d := range append(append([]profiles.Dimension{}, p.Sweep.Producer...), p.Sweep.Consumer...) {
					dims = append(dims, d.Name+"="+strings.Join(d.Values, ","))
				}
				section("sweep "+p.Sweep.Mode, dims)
			}
			return nil
		},
	})
	return cmd
}
