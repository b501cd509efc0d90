// Package config is the `ktune config` command: the client properties
// ktune supports (list) and the configuration a run would use (show).
package config

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ktune/ktune/internal/cli/cmdutil"
	"github.com/ktune/ktune/internal/clientcfg"
)

// NewCmd returns the config command with list and show.
func NewCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "The client properties ktune supports, and the configuration a run would use",
		Long: `Clients are configured with Kafka's Java property names (-X name=value,
--command-config FILE). 'config list' prints every supported property with
the default ktune applies (the Java client's of --client-line, 4.x unless
told 3, set explicitly: docs/client-lines.md lists what differs), its
valid values, the clients it configures, whether franz-go behaves differently
and whether it is secret. 'config show' prints the effective configuration of
the given properties, every default filled in and secrets hidden.`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newListCmd(), newShowCmd())
	return cmd
}

func newListCmd() *cobra.Command {
	var (
		role, output string
		line         clientcfg.Line
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List every supported client property",
		Example: `  ktune config list
  ktune config list --role consumer -o json
  ktune config list --role producer --client-line 3`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			roles, err := parseRoles(role)
			if err = cmdutil.Check(err, checkOutput(output)); err != nil {
				return err
			}
			docs := clientcfg.DescribeAll(line.OrCurrent())
			if len(roles) == 1 {
				docs = clientcfg.Describe(roles[0], line.OrCurrent())
			}
			if output == "json" {
				return writeJSON(cmd.OutOrStdout(), docs)
			}
			return WriteList(cmd.OutOrStdout(), docs)
		},
	}
	cmd.Flags().StringVar(&role, "role", "", "only the properties of producer, consumer or admin clients")
	cmd.Flags().StringVarP(&output, "output", "o", "table", "stdout format: table or json")
	cmdutil.ClientLineVar(cmd.Flags(), &line)
	return cmd
}

func newShowCmd() *cobra.Command {
	var (
		conn         cmdutil.ConnFlags
		role, output string
	)
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Show the effective client configuration, secrets hidden",
		Example: `  ktune config show -X linger.ms=5 -X compression.type=lz4 --role producer
  ktune config show --command-config client.properties -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			roles, err := parseRoles(role)
			if err = cmdutil.Check(err, checkOutput(output)); err != nil {
				return err
			}
			eff, err := Effective(&conn, roles)
			if err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(cmd.OutOrStdout(), eff)
			}
			return WriteShow(cmd.OutOrStdout(), eff)
		},
	}
	conn.RegisterClient(cmd)
	cmd.Flags().StringVar(&role, "role", "", "only the configuration of producer, consumer or admin clients")
	cmd.Flags().StringVarP(&output, "output", "o", "table", "stdout format: table (Java .properties sections) or json")
	return cmd
}

// RoleConfig is one client's effective configuration.
type RoleConfig struct {
	Role       string            `json:"role"`
	Properties map[string]string `json:"properties"`
	Notes      []string          `json:"notes,omitempty"`
}

// Effective resolves the flags' properties for each role.
func Effective(conn *cmdutil.ConnFlags, roles []clientcfg.Role) ([]RoleConfig, error) {
	var out []RoleConfig
	for _, r := range roles {
		res, err := conn.Resolve(r)
		if err != nil {
			return nil, err
		}
		out = append(out, RoleConfig{Role: r.String(), Properties: res.Effective(), Notes: res.Notes()})
	}
	return out, nil
}

// WriteList prints one row per property.
func WriteList(w io.Writer, docs []clientcfg.PropertyDoc) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "property\troles\tdefault\tvalid values\tnotes")
	for _, d := range docs {
		var notes []string
		if d.Secret {
			notes = append(notes, "secret: never printed or written")
		}
		if d.LocalFile {
			notes = append(notes, "a local file")
		}
		if d.FranzGo != "" {
			notes = append(notes, "franz-go: "+d.FranzGo)
		}
		def := d.Default
		if def == "" {
			def = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.Name, strings.Join(d.Roles, ","), def, d.Valid, strings.Join(notes, "; "))
	}
	return tw.Flush()
}

// WriteShow prints each role's configuration as a section of Java
// properties, in name order, with its notes as comments.
func WriteShow(w io.Writer, cfgs []RoleConfig) error {
	for i, c := range cfgs {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "[%s]\n", c.Role)
		keys := make([]string, 0, len(c.Properties))
		for k := range c.Properties {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "%s=%s\n", k, c.Properties[k])
		}
		for _, n := range c.Notes {
			fmt.Fprintf(w, "# %s\n", n)
		}
	}
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func parseRoles(name string) ([]clientcfg.Role, error) {
	if name == "" {
		return []clientcfg.Role{clientcfg.Producer, clientcfg.Consumer, clientcfg.Admin}, nil
	}
	r, err := clientcfg.ParseRole(name)
	return []clientcfg.Role{r}, err
}

func checkOutput(o string) error {
	if o != "table" && o != "json" {
		return fmt.Errorf("--output %q: must be table or json", o)
	}
	return nil
}
