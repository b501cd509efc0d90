package disrupt

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/internal/sweep"
	"github.com/ktune/ktune/result"
)

// MaxDrainPoints bounds a drain sweep: every point builds its own backlog
// and drains it, so a larger grid is hours of load.
const MaxDrainPoints = 16

// VaryConsumers is the --vary name of the consumers per group.
const VaryConsumers = "consumers"

// ParseVary reads --vary specs, NAME=v1,v2,..., into the dimensions of a
// drain sweep: consumer properties (role consumer; byte sizes such as
// fetch.max.bytes take 50MiB, every value checked as the client would
// check it) or consumers per group (role workload, whole numbers of at
// least 1). Nothing is contacted.
func ParseVary(specs []string) ([]result.Dimension, error) {
	var dims []result.Dimension
	seen := map[string]bool{}
	for _, s := range specs {
		name, values, ok := strings.Cut(s, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.TrimSpace(values) == "" {
			return nil, fmt.Errorf("--vary %q: want NAME=v1,v2,... (a consumer property such as max.poll.records, or %s)", s, VaryConsumers)
		}
		if seen[name] {
			return nil, fmt.Errorf("--vary %s: given twice; list all its values in one --vary", name)
		}
		seen[name] = true
		if name == VaryConsumers {
			d := result.Dimension{Role: sweep.RoleWorkload, Name: name}
			for _, v := range strings.Split(values, ",") {
				n, err := strconv.Atoi(strings.TrimSpace(v))
				if err != nil || n < 1 {
					return nil, fmt.Errorf("--vary %s: %q is not a whole number of at least 1", name, v)
				}
				d.Values = append(d.Values, strconv.Itoa(n))
			}
			dims = append(dims, d)
			continue
		}
		d, err := sweep.Dimensions([]sweep.List{{Role: sweep.RoleConsumer, Name: name, Values: values, Sizes: strings.HasSuffix(name, ".bytes"), Source: "--vary"}})
		if err != nil {
			return nil, fmt.Errorf("--vary %w", err) // "--vary max.poll.records: ..."
		}
		if !sweep.Knows(clientcfg.Consumer, name) {
			return nil, fmt.Errorf("--vary %s: not a consumer property; --vary takes consumer properties ('ktune config list --role consumer') or %s", name, VaryConsumers)
		}
		dims = append(dims, d...)
	}
	return dims, nil
}

// DrainSweepConfig describes a drain sweep: the same drain once per
// combination of Dimensions, each on its own fresh topic.
type DrainSweepConfig struct {
	// Drain is the drain every point runs; each point replaces its
	// workload's topic, consumer configuration and consumer count.
	Drain DrainConfig
	// Topic is the spec of the points' topics; its name is their prefix
	// (<name>-<n>).
	Topic cluster.TopicSpec
	// Consumer are the base consumer properties (the layered -X,
	// --command-config, connection flags); a point's dimensions override
	// them.
	Consumer   []clientcfg.Property
	Dimensions []result.Dimension
	// KeepTopics keeps each point's topic instead of deleting it after
	// the point.
	KeepTopics bool
	// OnPoint, if set, is told about each point as it starts.
	OnPoint func(i, n int, label string)
	// Save, if set, is called with the document after every point.
	Save func(*result.DrainSweep) error
}

// drainPoint is one planned point.
type drainPoint struct {
	params    map[string]string
	consumer  *clientcfg.Resolved
	consumers int
}

// Validate checks the sweep before any cluster is started or contacted:
// its size and every point's consumer configuration.
func (c *DrainSweepConfig) Validate() error {
	_, err := c.plan()
	return err
}

// plan expands the dimensions into points and resolves each one's
// consumer.
func (c *DrainSweepConfig) plan() ([]drainPoint, error) {
	if len(c.Dimensions) == 0 {
		return nil, errors.New("--vary: nothing to vary")
	}
	n := 1
	var sizes []string
	for _, d := range c.Dimensions {
		n *= len(d.Values)
		sizes = append(sizes, strconv.Itoa(len(d.Values)))
	}
	if n > MaxDrainPoints {
		return nil, fmt.Errorf("--vary: %s = %d drains; at most %d in one run: give fewer values", strings.Join(sizes, " x "), n, MaxDrainPoints)
	}
	if c.Topic.NoCreate {
		return nil, errors.New("--no-create: a drain sweep runs every point on a fresh topic it creates")
	}
	points, err := sweep.Expand(c.Dimensions, "grid")
	if err != nil {
		return nil, err
	}
	// The points keep the Java client line of the drain's own consumer.
	line := clientcfg.CurrentLine
	if cl := c.Drain.Workload.Consume.Client; cl != nil {
		line = cl.Line()
	}
	var out []drainPoint
	for _, p := range points {
		dp := drainPoint{params: p.Params, consumers: c.Drain.Workload.Consume.Consumers}
		if v, ok := p.Params[sweep.RoleWorkload+":"+VaryConsumers]; ok {
			if dp.consumers, err = strconv.Atoi(v); err != nil || dp.consumers < 1 {
				return nil, fmt.Errorf("point %s: consumers %q: must be a whole number of at least 1", result.ParamsLabel(p.Params), v)
			}
		}
		props := append(append([]clientcfg.Property{}, c.Consumer...), p.Props(sweep.RoleConsumer)...)
		if dp.consumer, err = clientcfg.ResolveLine(props, clientcfg.Consumer, line); err != nil {
			return nil, fmt.Errorf("point %s: %w", result.ParamsLabel(p.Params), err)
		}
		out = append(out, dp)
	}
	return out, nil
}

// DrainSweep runs the drain once per point, one after another. The
// document holds every finished point also when the sweep is cut short
// (Complete false); a point cut short is left out.
func DrainSweep(ctx context.Context, conn *cluster.Conn, cfg DrainSweepConfig) (*result.DrainSweep, error) {
	points, err := cfg.plan()
	if err != nil {
		return nil, err
	}
	cfg.Drain.defaults()
	doc := &result.DrainSweep{Header: result.NewHeader(result.KindDrainSweep), Dimensions: cfg.Dimensions, BacklogBytes: cfg.Drain.Backlog}
	save := func() error {
		if cfg.Save == nil {
			return nil
		}
		return cfg.Save(doc)
	}
	fail := func(label string, err error) (*result.DrainSweep, error) {
		doc.End = time.Now()
		doc.StopReason, doc.Error = result.StopError, fmt.Sprintf("point %s: %v", label, err)
		return doc, errors.New(doc.Error)
	}
	for i, p := range points {
		if ctx.Err() != nil {
			break
		}
		label := result.ParamsLabel(p.params)
		if cfg.OnPoint != nil {
			cfg.OnPoint(i, len(points), label)
		}
		spec := cfg.Topic
		spec.Name = fmt.Sprintf("%s-%d", cfg.Topic.Name, i+1)
		d, err := drainPointRun(ctx, conn, &cfg, spec, p)
		if err != nil && ctx.Err() != nil {
			doc.Notes = append(doc.Notes, fmt.Sprintf("point %s was cut short and is left out", label))
			break
		}
		if err != nil {
			return fail(label, err)
		}
		if !d.Complete {
			doc.Notes = append(doc.Notes, fmt.Sprintf("point %s was cut short (%s) and is left out", label, d.StopReason))
			break
		}
		if n := coarse(d, cfg.Drain.Interval); n != "" {
			doc.Notes = append(doc.Notes, fmt.Sprintf("point %s %s", label, n))
		}
		if len(doc.Points) == 0 {
			doc.Setting = d.Setting
			doc.Config.Consumer = nil
			doc.Workload.Topic = cfg.Topic.Name
		}
		doc.Points = append(doc.Points, result.DrainPoint{Params: p.params, Label: label, Drain: d})
		doc.End = time.Now()
		if err := save(); err != nil {
			return doc, err
		}
	}
	doc.EndRuns(ctx.Err(), len(doc.Points) == len(points))
	return doc, save()
}

// drainPointRun runs one point's drain on its own topic, deleted after it
// unless KeepTopics.
func drainPointRun(ctx context.Context, conn *cluster.Conn, cfg *DrainSweepConfig, spec cluster.TopicSpec, p drainPoint) (*result.Drain, error) {
	t, err := conn.EnsureTopic(ctx, spec)
	if err != nil {
		return nil, err
	}
	if !cfg.KeepTopics {
		// A topic per point: leaving them would fill the cluster (and an
		// embedded one's memory) with every point's backlog.
		defer func() {
			if err := conn.DeleteTopic(context.WithoutCancel(ctx), t.Name); err != nil && cfg.Drain.Logger != nil {
				cfg.Drain.Logger.Warn("could not delete a drain sweep topic", "topic", t.Name, "err", err)
			}
		}()
	}
	dc := cfg.Drain
	w := &dc.Workload
	w.Produce.Topic = t.Name
	w.Consume.Topic, w.Consume.Partitions = t.Name, t.Partitions
	w.Consume.Client, w.Consume.Consumers = p.consumer, p.consumers
	d, err := Drain(ctx, conn, dc)
	if d != nil {
		d.Workload.Partitions, d.Workload.ReplicationFactor, d.Workload.TopicCreated = t.Partitions, t.ReplicationFactor, t.Created
	}
	return d, err
}

// coarseIntervals is the fewest sampling intervals a catch-up must take
// for its drain rate to compare points: the catch-up is seen at the end
// of an interval, so its time is known to within one.
const coarseIntervals = 5

// coarse says why d's drain rate is too coarse to compare with other
// points, or "" when it is not.
func coarse(d *result.Drain, interval time.Duration) string {
	if d.TimeToCatchUpS == nil || *d.TimeToCatchUpS >= coarseIntervals*interval.Seconds() {
		return ""
	}
	return fmt.Sprintf("caught up in %.2f s, less than %d sampling intervals of %s: the time is known to within one interval, so its drain rate is a lower bound; a larger --backlog or a shorter --interval tells the points apart",
		*d.TimeToCatchUpS, coarseIntervals, interval)
}
