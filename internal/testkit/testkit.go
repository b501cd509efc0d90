// Package testkit runs ktune as separate processes, for tests that need
// real processes: distributed-run workers, peers on one cluster.
package testkit

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"
)

// Build compiles ktune into dir and returns the binary's path.
func Build(dir string) (string, error) {
	bin := filepath.Join(dir, "ktune")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/ktune/ktune/cmd/ktune").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}

// Result is one process's outcome.
type Result struct {
	Stdout, Stderr string
	Err            error
}

// RunAll runs bin once per argument list, side by side, each with env
// added to this process's environment and killed after timeout.
func RunAll(bin string, env []string, timeout time.Duration, argss ...[]string) []Result {
	res := make([]Result, len(argss))
	var wg sync.WaitGroup
	for i, args := range argss {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i] = RunIn("", bin, env, timeout, args...)
		}()
	}
	wg.Wait()
	return res
}

// RunIn runs bin once in the working directory dir ("" for this process's),
// with env added to this process's environment, killed after timeout.
func RunIn(dir, bin string, env []string, timeout time.Duration, args ...string) Result {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	return Result{Stdout: o.String(), Stderr: e.String(), Err: err}
}
