package cluster

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/kadm"
)

// BrokerHosts returns every broker's advertised host from the cluster's
// metadata, in node id order.
func (c *Conn) BrokerHosts(ctx context.Context) ([]string, error) {
	cl, err := c.NewClient()
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	meta, err := kadm.NewClient(cl).BrokerMetadata(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing the brokers: %w", err)
	}
	var hosts []string
	for _, b := range meta.Brokers { // kadm sorts them by node id
		hosts = append(hosts, b.Host)
	}
	return hosts, nil
}
