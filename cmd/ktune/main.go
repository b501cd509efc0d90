// Command ktune benchmarks Apache Kafka and tells its operators how to size
// and tune it.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/ktune/ktune/internal/cli/cmdutil"
	"github.com/ktune/ktune/internal/cli/root"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

func main() {
	os.Exit(run())
}

func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd := root.NewCmd(buildVersion())
	if err := cmd.ExecuteContext(ctx); err != nil {
		if errors.Is(err, cmdutil.ErrInterrupted) {
			fmt.Fprintln(os.Stderr, "ktune:", err)
			return 130
		}
		fmt.Fprintln(os.Stderr, "ktune:", err)
		return 1
	}
	return 0
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
