package disrupt

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/ktune/ktune/internal/audit"
	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/cluster"
)

// members are consumer-group members ktune adds to (consumer-join) or
// removes from (consumer-leave) the workload's group. They read like the
// workload's consumers and hand every record to the audit.
type members struct {
	conn   *cluster.Conn
	client *clientcfg.Resolved
	group  string
	topic  string
	ledger *audit.Ledger

	mu   sync.Mutex
	list []*member
}

type member struct {
	cl       *kgo.Client
	cancel   context.CancelFunc
	ended    chan struct{}
	assigned atomic.Bool
}

// add starts one member.
func (m *members) add(ctx context.Context) (*member, error) {
	mb := &member{ended: make(chan struct{})}
	opts := append(m.client.ConsumerOpts(true),
		kgo.ConsumerGroup(m.group), kgo.ConsumeTopics(m.topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.OnPartitionsAssigned(func(context.Context, *kgo.Client, map[string][]int32) { mb.assigned.Store(true) }),
	)
	cl, err := m.conn.NewClient(opts...)
	if err != nil {
		return nil, err
	}
	mb.cl = cl
	pctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	mb.cancel = cancel
	go func() {
		defer close(mb.ended)
		for pctx.Err() == nil {
			c, stop := context.WithTimeout(pctx, 200*time.Millisecond)
			fs := cl.PollRecords(c, 500)
			stop()
			if fs.IsClientClosed() {
				return
			}
			fs.EachRecord(func(r *kgo.Record) { m.ledger.ReadRecord(r) })
		}
	}()
	m.mu.Lock()
	m.list = append(m.list, mb)
	m.mu.Unlock()
	return mb, nil
}

// waitAssigned waits until every member was assigned partitions once.
func (m *members) waitAssigned(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		m.mu.Lock()
		all := true
		for _, mb := range m.list {
			all = all && mb.assigned.Load()
		}
		n := len(m.list)
		m.mu.Unlock()
		if all {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the %d added member(s) were not assigned partitions within %s (a group with as many members as partitions leaves some idle: add partitions or fewer members)", n, timeout)
		}
		if err := pause(ctx, 50*time.Millisecond); err != nil {
			return err
		}
	}
}

// count returns the members ktune added and that have not left.
func (m *members) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.list)
}

// leaveAll makes every member leave the group: it commits, leaves and
// closes its client.
func (m *members) leaveAll() {
	m.mu.Lock()
	list := m.list
	m.list = nil
	m.mu.Unlock()
	for _, mb := range list {
		mb.cancel()
		<-mb.ended
		mb.cl.Close()
	}
}
