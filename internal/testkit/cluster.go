package testkit

import (
	"context"
	"testing"

	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/cluster"
)

// Embedded starts an embedded kfake cluster of brokers brokers for t; it
// is closed when t ends.
func Embedded(t testing.TB, brokers int) *cluster.Conn {
	t.Helper()
	conn, err := cluster.Open(context.Background(), cluster.Config{EmbeddedBrokers: brokers})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close)
	return conn
}

// Resolve resolves client properties (name=value) for role, failing t on
// a bad one.
func Resolve(t testing.TB, role clientcfg.Role, kvs ...string) *clientcfg.Resolved {
	t.Helper()
	props, err := clientcfg.ParseAssignments(kvs)
	if err != nil {
		t.Fatal(err)
	}
	r, err := clientcfg.Resolve(props, role)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
