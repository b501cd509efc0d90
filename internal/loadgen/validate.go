package loadgen

import (
	"errors"
	"fmt"
	"math"
)

// Validate checks the producer run c describes before any client or
// cluster is touched: every error is one line naming the flag, its value
// and what is valid. Zero Producers is refused here; Produce fills it
// in (one producer) before validating.
func (c *ProduceConfig) Validate() error {
	switch {
	case c.Topic == "":
		return errors.New("no topic: pass --topic")
	case c.Records < 0:
		return fmt.Errorf("--records %d: must not be negative", c.Records)
	case c.Duration < 0:
		return fmt.Errorf("--duration %s: must not be negative", c.Duration)
	case c.Records == 0 && c.Duration == 0:
		return errors.New("the run needs a bound: pass --records N or --duration D (or both)")
	case c.WarmupRecords < 0:
		return fmt.Errorf("--warmup %d: must not be negative", c.WarmupRecords)
	case c.WarmupDuration < 0:
		return fmt.Errorf("--warmup %s: must not be negative", c.WarmupDuration)
	case c.Rate < 0 || math.IsNaN(c.Rate) || math.IsInf(c.Rate, 0):
		return fmt.Errorf("--rate %v: must be a positive number of records/s, or 0 for as fast as possible", c.Rate)
	case c.Producers < 1:
		return fmt.Errorf("--producers %d: must be at least 1", c.Producers)
	case c.Headers < 0:
		return fmt.Errorf("--headers %d: must not be negative", c.Headers)
	case c.Headers > MaxHeaders:
		return fmt.Errorf("--headers %d: at most %d (each is generated and encoded with every record: more measure ktune, not Kafka)", c.Headers, MaxHeaders)
	case c.HeaderSize < 0:
		return fmt.Errorf("--header-size %d: must not be negative", c.HeaderSize)
	case c.MaxErrors < 0:
		return fmt.Errorf("--max-errors %d: must not be negative (0: no limit)", c.MaxErrors)
	case c.Interval < 0:
		return fmt.Errorf("--interval %s: must be positive", c.Interval)
	case c.TransactionInterval < 0:
		return fmt.Errorf("transaction interval %s: must be positive", c.TransactionInterval)
	}
	if err := checkClients("producers", c.Producers); err != nil {
		return err
	}
	if err := c.Values.Validate(); err != nil {
		return err
	}
	return c.Keys.Validate()
}

// Validate checks the consumer run c describes before any client or
// cluster is touched. Zero Consumers and IdleTimeout are refused here;
// Consume fills them in before validating.
func (c *ConsumeConfig) Validate() error {
	switch {
	case c.Topic == "":
		return errors.New("no topic: pass --topic")
	case c.From != "" && c.From != "earliest" && c.From != "latest":
		return fmt.Errorf("--from %q: must be earliest or latest", c.From)
	case c.Records < 0:
		return fmt.Errorf("--records %d: must not be negative", c.Records)
	case c.Duration < 0:
		return fmt.Errorf("--duration %s: must not be negative", c.Duration)
	case c.IdleTimeout <= 0:
		return fmt.Errorf("--idle-timeout %s: must be positive", c.IdleTimeout)
	case c.Consumers < 1:
		return fmt.Errorf("--consumers %d: must be at least 1", c.Consumers)
	case c.Interval < 0:
		return fmt.Errorf("--interval %s: must be positive", c.Interval)
	}
	if c.Assign && c.Group != "" {
		return fmt.Errorf("--assign with --group %q: --assign reads partitions directly, without a group; pass one of them", c.Group)
	}
	if err := checkClients("consumers", c.Consumers); err != nil {
		return err
	}
	for _, p := range c.AssignPartitions {
		if p < 0 {
			return fmt.Errorf("partition %d: must not be negative", p)
		}
	}
	return nil
}

// Validate checks the end-to-end run c describes before any client or
// cluster is touched: both sides, and a set rate.
func (c *E2EConfig) Validate() error {
	if err := c.Produce.Validate(); err != nil {
		return err
	}
	if c.Produce.Rate <= 0 {
		return fmt.Errorf("--rate %v: e2e needs a set rate (records/s): end-to-end latency without one measures queueing in the client", c.Produce.Rate)
	}
	cons := c.Consume
	if cons.Topic == "" {
		cons.Topic = c.Produce.Topic
	}
	if cons.IdleTimeout == 0 {
		cons.IdleTimeout = max(c.DrainTimeout, 1)
	}
	if err := cons.Validate(); err != nil {
		return err
	}
	if c.JoinTimeout < 0 || c.DrainTimeout < 0 {
		return fmt.Errorf("join timeout %s and drain timeout %s: must not be negative", c.JoinTimeout, c.DrainTimeout)
	}
	return nil
}
