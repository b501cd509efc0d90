// Command ktune benchmarks Apache Kafka and tells its operators how to size
// and tune it.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
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
	exitOnSecondSignal()
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

// exitOnSecondSignal makes a second Ctrl-C (or SIGTERM) end ktune at once:
// the first one stops the run gracefully, keeping what it measured, which
// can take a bounded while (in-flight records, writing the document); an
// operator who asks again means now.
func exitOnSecondSignal() {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go onSecondSignal(sigs, os.Stderr, os.Exit)
}

// onSecondSignal waits for two signals on sigs, then says so on w and
// exits with 130.
func onSecondSignal(sigs <-chan os.Signal, w io.Writer, exit func(int)) {
	<-sigs
	s := <-sigs
	fmt.Fprintf(w, "ktune: %s again: exiting at once; what the run had not yet written is lost\n", s)
	exit(130)
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
