package loadgen

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Error classes that are not Kafka error codes.
const (
	ClassTimeout = "timeout"
	ClassRetries = "retries-exhausted"
	ClassAborted = "aborted"
	// ClassUnreachable: a broker could not be dialled (connection refused,
	// no route): the broker is gone, not slow.
	ClassUnreachable = "broker-unreachable"
	ClassOther       = "other"
)

// classify names an error's class for the result's error counts and says
// whether it is fatal: an error no amount of retrying fixes (too large,
// not authorized), which ends the run at once with one clear line.
func classify(err error) (class string, fatal bool) {
	var ke *kerr.Error
	switch {
	case errors.As(err, &ke):
		switch ke {
		case kerr.MessageTooLarge, kerr.RecordListTooLarge, kerr.TopicAuthorizationFailed,
			kerr.ClusterAuthorizationFailed, kerr.SaslAuthenticationFailed,
			kerr.TransactionalIDAuthorizationFailed, kerr.InvalidTopicException,
			kerr.InvalidRequiredAcks, kerr.PolicyViolation, kerr.InvalidRecord,
			kerr.UnsupportedCompressionType:
			return ke.Message, true
		}
		return ke.Message, false
	case errors.Is(err, kgo.ErrRecordTimeout), errors.Is(err, context.DeadlineExceeded):
		return ClassTimeout, false
	case errors.Is(err, kgo.ErrRecordRetries):
		return ClassRetries, false
	case errors.Is(err, context.Canceled), errors.Is(err, kgo.ErrAborting), errors.Is(err, kgo.ErrClientClosed):
		return ClassAborted, false
	}
	if ne, ok := errors.AsType[*net.OpError](err); ok && ne.Op == "dial" {
		return ClassUnreachable, false
	}
	return ClassOther, false
}

// explainFatal turns a fatal produce or consume error into one line that
// says what to do.
func explainFatal(err error, topic string, recordSize int) error {
	switch {
	case errors.Is(err, kerr.MessageTooLarge), errors.Is(err, kerr.RecordListTooLarge):
		return fmt.Errorf("a record of about %d bytes was rejected as too large (%v): raise the topic's max.message.bytes (--topic-config) or the broker's message.max.bytes, and the client's -X max.request.size", recordSize, err)
	case errors.Is(err, kerr.TopicAuthorizationFailed):
		return fmt.Errorf("not authorized to write topic %q: ask for Write and Describe ACLs on it", topic)
	case errors.Is(err, kerr.SaslAuthenticationFailed):
		return fmt.Errorf("authentication failed: %v; check the user and password", err)
	case errors.Is(err, kerr.TransactionalIDAuthorizationFailed):
		return fmt.Errorf("not authorized for the transactional.id: ask for Write ACLs on it")
	}
	return fmt.Errorf("produce to %q failed: %w", topic, err)
}

// errorCounts keeps failed-record counts by class.
type errorCounts map[string]int64

func (e errorCounts) add(class string) {
	e[class]++
}

func (e errorCounts) mergeInto(dst map[string]int64) map[string]int64 {
	if len(e) == 0 {
		return dst
	}
	if dst == nil {
		dst = map[string]int64{}
	}
	for k, v := range e {
		dst[k] += v
	}
	return dst
}

func total(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

func shortErr(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

func explainConsume(err error, topic, group string) error {
	switch {
	case errors.Is(err, kerr.TopicAuthorizationFailed):
		return fmt.Errorf("not authorized to read topic %q: ask for Read and Describe ACLs on it", topic)
	case errors.Is(err, kerr.GroupAuthorizationFailed):
		return fmt.Errorf("not authorized for consumer group %q: ask for Read ACLs on the group, or pass --assign", group)
	case errors.Is(err, kerr.SaslAuthenticationFailed):
		return fmt.Errorf("authentication failed: %v; check the user and password", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, topic) {
		msg = fmt.Sprintf("consuming %q: %v", topic, err)
	}
	return errors.New(msg)
}
