// Command procnode is a Kubernetes node that runs pods as local processes,
// with the local ktune binary standing in for the ktune image (see package
// procnode). scripts/k8s-local.sh starts it.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/ktune/ktune/internal/k8stest/procnode"
)

func main() {
	kubeconfig := flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig of the API server")
	name := flag.String("name", "procnode", "node name")
	listen := flag.String("listen", "127.0.0.1:10250", "kubelet API address (logs); its host is the node's IP")
	ktune := flag.String("ktune", "", "ktune binary standing in for the ktune image (required)")
	root := flag.String("root", "", "folder for the pods' folders (required)")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*kubeconfig, *name, *listen, *ktune, *root, log); err != nil {
		fmt.Fprintln(os.Stderr, "procnode:", err)
		os.Exit(1)
	}
}

func run(kubeconfig, name, listen, ktune, root string, log *slog.Logger) error {
	if ktune == "" || root == "" {
		return fmt.Errorf("pass --ktune BINARY and --root FOLDER")
	}
	ktune, err := filepath.Abs(ktune)
	if err != nil {
		return err
	}
	if _, err := os.Stat(ktune); err != nil {
		return fmt.Errorf("--ktune: %v", err)
	}
	rc, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return fmt.Errorf("--kubeconfig %q: %v", kubeconfig, err)
	}
	client, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg := procnode.NodeConfig{
		Config: procnode.Config{Ktune: ktune, Root: root, Log: log},
		Name:   name, Listen: listen, Client: client,
	}
	err = procnode.Run(ctx, cfg, func() { log.Info("node ready", "name", name, "listen", listen) })
	if ctx.Err() != nil {
		return nil
	}
	return err
}
