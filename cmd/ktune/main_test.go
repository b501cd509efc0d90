package main

import (
	"bytes"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The first signal is left to the run (it stops gracefully); the second
// exits at once with 130.
func TestSecondSignalExits(t *testing.T) {
	sigs := make(chan os.Signal, 2)
	codes := make(chan int, 1)
	var w bytes.Buffer
	go onSecondSignal(sigs, &w, func(code int) { codes <- code })
	sigs <- os.Interrupt
	select {
	case code := <-codes:
		t.Fatalf("exited with %d on the first signal", code)
	case <-time.After(50 * time.Millisecond):
	}
	sigs <- syscall.SIGTERM
	select {
	case code := <-codes:
		if code != 130 || !strings.Contains(w.String(), "terminated again: exiting at once") {
			t.Errorf("exit %d, said %q", code, w.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no exit on the second signal")
	}
}
