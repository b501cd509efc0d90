package disrupt

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/ktune/ktune/internal/cli/cmdutil"
	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/internal/loadgen"
	"github.com/ktune/ktune/internal/summary"
	"github.com/ktune/ktune/result"
)

// steadyFlags are the flags of a steady workload (a producer at a rate
// and a consumer group on one topic) that disrupt and drain share.
type steadyFlags struct {
	conn      cmdutil.ConnFlags
	out       cmdutil.OutputFlags
	topic     cmdutil.TopicFlags
	workload  cmdutil.ProducerFlags
	run       cmdutil.RunFlags
	consumers int
	group     string
	// hidden are producer flags the command sets itself.
	hidden []string
	name   string
}

func (f *steadyFlags) register(cmd *cobra.Command) {
	f.conn.Register(cmd)
	f.out.Register(cmd)
	f.topic.Register(cmd, "")
	f.workload.Register(cmd)
	f.run.Register(cmd)
	fs := cmd.Flags()
	for _, name := range f.hidden {
		_ = fs.MarkHidden(name) // the command decides how long the workload runs
	}
	fs.Lookup("topic").Usage = fmt.Sprintf("topic to use (default: a fresh ktune-%s-<time> topic)", f.name)
	fs.Lookup("rate").DefValue, f.workload.Rate = "1000", 1000
	fs.Lookup("interval").DefValue, f.out.Interval = "1s", time.Second
	fs.Lookup("interval").Usage = "sampling interval of the time series (and progress lines)"
	fs.IntVar(&f.consumers, "consumers", 1, "consumer clients of the workload's group")
	fs.StringVar(&f.group, "group", "", "consumer group (default: a fresh one)")
}

// steady is an open session with the topic and the workload on it.
type steady struct {
	ctx      context.Context
	cancel   context.CancelFunc
	s        *cmdutil.Session
	topic    cluster.Topic
	workload loadgen.E2EConfig
}

func (st *steady) close() {
	st.s.Close()
	st.cancel()
}

// open connects, makes sure the topic exists and builds the workload.
func (f *steadyFlags) open(cmd *cobra.Command) (*steady, error) {
	st, spec, err := f.connect(cmd, nil)
	if err != nil {
		return nil, err
	}
	if st.topic, err = st.s.Conn.EnsureTopic(st.ctx, spec); err != nil {
		st.close()
		return nil, cmdutil.BeforeStart(st.ctx, err)
	}
	st.workload.Consume.Topic, st.workload.Consume.Partitions = st.topic.Name, st.topic.Partitions
	return st, nil
}

// connect checks every flag (and, before anything is contacted, check),
// connects and builds the workload for the topic spec names, which it
// neither creates nor looks up.
func (f *steadyFlags) connect(cmd *cobra.Command, check func(spec cluster.TopicSpec) error) (*steady, cluster.TopicSpec, error) {
	var spec cluster.TopicSpec
	if err := f.out.Validate(); err != nil {
		return nil, spec, err
	}
	if !cmd.Flags().Changed("topic") {
		f.topic.Topic = fmt.Sprintf("ktune-%s-%d", f.name, time.Now().UnixNano())
	}
	f.workload.Duration = time.Hour // a placeholder: the command sets the bound
	pcfg, err := f.workload.Config(f.topic.Topic)
	if err != nil {
		return nil, spec, err
	}
	if spec, err = f.topic.Spec(); err != nil {
		return nil, spec, err
	}
	if err := cmdutil.Check(f.run.Validate(), f.conn.Validate(clientcfg.Producer, clientcfg.Consumer)); err != nil {
		return nil, spec, err
	}
	if check != nil {
		if err := check(spec); err != nil {
			return nil, spec, err
		}
	}
	st := &steady{}
	st.ctx, st.cancel = f.run.Context(cmd.Context())
	if st.s, err = f.conn.Open(st.ctx, cmd.ErrOrStderr(), clientcfg.Producer, clientcfg.Consumer); err != nil {
		st.cancel()
		return nil, spec, err
	}
	pcfg.Client, pcfg.Logger = st.s.Client, st.s.Logger
	st.workload = loadgen.E2EConfig{Produce: pcfg, Consume: loadgen.ConsumeConfig{
		Topic: spec.Name, Partitions: spec.Partitions, Group: f.group, Consumers: f.consumers,
		Client: st.s.Consumer, Logger: st.s.Logger,
	}}
	return st, spec, nil
}

// progress prints each point of the series on stderr.
func progress(cmd *cobra.Command) func(result.PhaseInterval) {
	w := cmd.ErrOrStderr()
	return func(iv result.PhaseInterval) { fmt.Fprintln(w, summary.PhaseLine(iv)) }
}

// stampTopic records the topic's layout in a document's setting.
func (st *steady) stampTopic(set *result.Setting) {
	set.Workload.Partitions, set.Workload.ReplicationFactor, set.Workload.TopicCreated = st.topic.Partitions, st.topic.ReplicationFactor, st.topic.Created
}

// finish finishes doc on the one path every command takes (stamp, write,
// print, exit code).
func (f *steadyFlags) finish(cmd *cobra.Command, ctx context.Context, version string, doc result.Doc, print func(io.Writer), runErr error) error {
	return f.out.Finish(ctx, cmd.OutOrStdout(), cmd.ErrOrStderr(), cmdutil.Finished{
		Version: version, Doc: doc, RunErr: runErr, Table: func(w io.Writer, _ string) { print(w) },
	})
}
