// Package version is the `ktune version` command.
package version

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"
)

// NewCmd returns the version command.
func NewCmd(version string) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print ktune's version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintf(cmd.OutOrStdout(), "ktune %s (%s, %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		},
	}
}
