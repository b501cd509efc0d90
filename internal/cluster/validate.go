package cluster

import (
	"fmt"
	"math"
	"net"
	"regexp"
	"strconv"
)

// topicName is what Kafka accepts as a topic name.
var topicName = regexp.MustCompile(`^[a-zA-Z0-9._-]{1,249}$`)

// Validate checks a topic spec from the command line before any cluster is
// contacted: a legal name, -1 (the broker's default) or 1 to 2^31-1
// partitions, and -1 or 1 to 32767 replicas.
func (s TopicSpec) Validate() error {
	if s.Name == "" {
		return fmt.Errorf("--topic must not be empty")
	}
	if !topicName.MatchString(s.Name) || s.Name == "." || s.Name == ".." {
		return fmt.Errorf("--topic %q: use 1 to 249 letters, digits, '.', '_' or '-'", s.Name)
	}
	if s.Partitions != -1 && (s.Partitions < 1 || s.Partitions > math.MaxInt32) {
		return fmt.Errorf("--partitions %d: must be at least 1 (or -1 for the broker's default)", s.Partitions)
	}
	if s.ReplicationFactor != -1 && (s.ReplicationFactor < 1 || s.ReplicationFactor > math.MaxInt16) {
		return fmt.Errorf("--replication-factor %d: must be between 1 and %d (or -1 for the broker's default)", s.ReplicationFactor, math.MaxInt16)
	}
	for k := range s.Configs {
		if k == "" {
			return fmt.Errorf("--topic-config: a setting has no name")
		}
	}
	return nil
}

// Validate checks cfg before anything is started or contacted: broker
// addresses are host:port with a port from 1 to 65535, and no duration or
// count is negative. The loopback guard, which resolves names, runs in
// Open.
func (c Config) Validate() error {
	for _, b := range c.Brokers {
		if err := checkAddress(b); err != nil {
			return err
		}
	}
	if c.ConnectTimeout < 0 {
		return fmt.Errorf("--connect-timeout %s: must be positive", c.ConnectTimeout)
	}
	if c.EmbeddedBrokers < 0 {
		return fmt.Errorf("embedded brokers %d: must be at least 1", c.EmbeddedBrokers)
	}
	return nil
}

func checkAddress(hostport string) error {
	host, port, err := net.SplitHostPort(hostport)
	if err == nil && host != "" {
		if n, perr := strconv.Atoi(port); perr == nil && n >= 1 && n <= 65535 {
			return nil
		}
	}
	return fmt.Errorf("broker address %q (--brokers or bootstrap.servers): want host:port with a port from 1 to 65535, e.g. 127.0.0.1:9092", hostport)
}
