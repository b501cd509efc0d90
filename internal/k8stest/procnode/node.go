package procnode

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/virtual-kubelet/virtual-kubelet/node"
	"github.com/virtual-kubelet/virtual-kubelet/node/nodeutil"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// NodeConfig configures a process node.
type NodeConfig struct {
	Config
	// Name is the node's name, also its kubernetes.io/hostname label.
	Name string
	// Listen is the kubelet API's address (logs), e.g. 127.0.0.1:35250; its
	// host is the node's InternalIP.
	Listen string
	// Client talks to the API server.
	Client kubernetes.Interface
}

// Run registers the node and runs pods scheduled to it until ctx ends.
// ready is called once the node is Ready.
func Run(ctx context.Context, cfg NodeConfig, ready func()) error {
	host, portStr, err := net.SplitHostPort(cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen address %q: %v", cfg.Listen, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return fmt.Errorf("listen address %q: %v", cfg.Listen, err)
	}
	cfg.IP = host
	if cfg.Secret == nil {
		cfg.Secret = func(ctx context.Context, ns, name string) (*corev1.Secret, error) {
			return cfg.Client.CoreV1().Secrets(ns).Get(ctx, name, metav1.GetOptions{})
		}
	}
	cert, err := selfSigned(host)
	if err != nil {
		return err
	}
	prov := New(cfg.Config)
	mux := http.NewServeMux()
	n, err := nodeutil.NewNode(cfg.Name,
		func(nodeutil.ProviderConfig) (nodeutil.Provider, node.NodeProvider, error) { return prov, nil, nil },
		nodeutil.WithClient(cfg.Client),
		func(c *nodeutil.NodeConfig) error {
			c.HTTPListenAddr = cfg.Listen
			c.Handler = mux
			c.NumWorkers = 4
			c.NodeSpec = NodeSpec(cfg.Name, host, int32(port))
			return nil
		},
		nodeutil.AttachProviderRoutes(mux),
		nodeutil.WithTLSConfig(func(t *tls.Config) error {
			t.Certificates = []tls.Certificate{cert}
			return nil
		}),
	)
	if err != nil {
		return err
	}
	go func() {
		if n.WaitReady(ctx, 0) == nil && ready != nil {
			ready()
		}
	}()
	defer prov.StopAll(10 * time.Second)
	return n.Run(ctx)
}

// NodeSpec is the node as registered: ample capacity (the processes share
// the host), linux/amd64 labels, the kubelet endpoint on port.
func NodeSpec(name, ip string, port int32) corev1.Node {
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("64"),
		corev1.ResourceMemory: resource.MustParse("256Gi"),
		corev1.ResourcePods:   resource.MustParse("110"),
	}
	return corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name: name,
			Labels: map[string]string{
				"type":                  "virtual-kubelet",
				"kubernetes.io/role":    "agent",
				corev1.LabelHostname:    name,
				corev1.LabelOSStable:    "linux",
				corev1.LabelArchStable:  "amd64",
				"ktune.io/process-node": "true",
			},
		},
		Status: corev1.NodeStatus{
			Phase:       corev1.NodePending,
			Capacity:    capacity,
			Allocatable: capacity,
			Addresses: []corev1.NodeAddress{
				{Type: corev1.NodeInternalIP, Address: ip},
				{Type: corev1.NodeHostName, Address: name},
			},
			DaemonEndpoints: corev1.NodeDaemonEndpoints{KubeletEndpoint: corev1.DaemonEndpoint{Port: port}},
			NodeInfo: corev1.NodeSystemInfo{
				OperatingSystem: "linux", Architecture: "amd64", KubeletVersion: "procnode",
			},
			Conditions: []corev1.NodeCondition{
				{Type: corev1.NodeReady},
				{Type: corev1.NodeDiskPressure, Status: corev1.ConditionFalse},
				{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionFalse},
				{Type: corev1.NodePIDPressure, Status: corev1.ConditionFalse},
				{Type: corev1.NodeNetworkUnavailable, Status: corev1.ConditionFalse},
			},
		},
	}
}

// selfSigned returns a fresh certificate for the kubelet API on host. The
// API server does not verify kubelet certificates unless given a CA.
func selfSigned(host string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "ktune-procnode"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(7 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP(host)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
