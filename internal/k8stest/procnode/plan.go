package procnode

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// ktuneImage is the image name this node runs: "ktune" or "ktune:<tag>",
// the local ktune binary standing in for the image's /ktune entrypoint.
const ktuneImage = "ktune"

// entrypoint is the image's entrypoint, the only command a pod may name.
const entrypoint = "/ktune"

// defaultPath is the PATH container runtimes give a process whose image
// sets none.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// Unsupported is why this node refuses a pod: running it as a local process
// would not be faithful to what a kubelet would run.
type Unsupported struct{ Reason string }

func (u *Unsupported) Error() string {
	return "the process node cannot run this pod faithfully: " + u.Reason
}

func refuse(format string, args ...any) error {
	return &Unsupported{Reason: fmt.Sprintf(format, args...)}
}

// IsUnsupported reports whether err is a refusal of the pod.
func IsUnsupported(err error) bool {
	var u *Unsupported
	return errors.As(err, &u)
}

// File is a file a Secret volume holds, written before the process starts.
type File struct {
	Path string // on the host
	Data []byte
	Mode fs.FileMode
}

// Process is what running a pod's one container means on this host.
type Process struct {
	Path string   // the ktune binary
	Args []string // after Path, expanded and with mount paths mapped
	Env  []string // KEY=value, the container's own environment only
	Dir  string   // working directory on the host
	// Dirs are the volumes' host folders, created world-writable (as the
	// kubelet creates emptyDir volumes) before Files are written.
	Dirs  []string
	Files []File
	// UID, GID and FSGroup are the pod's security context ids, nil when
	// unset.
	UID, GID, FSGroup *int64
}

// SecretFunc returns the Secret name of the pod's namespace.
type SecretFunc func(name string) (*corev1.Secret, error)

// Plan maps pod's single container onto a local process: ktune is the
// binary standing in for the image, root the pod's folder on the host where
// its volumes live. A pod this node cannot run faithfully (another image or
// command, more than one container, a volume kind other than emptyDir and
// Secret, a subPath, a working directory off the volumes, an unresolved
// environment reference) is refused with an *Unsupported error.
func Plan(pod *corev1.Pod, ktune, root string, secret SecretFunc) (*Process, error) {
	s := &pod.Spec
	if len(s.InitContainers) > 0 || len(s.EphemeralContainers) > 0 || len(s.Containers) != 1 {
		return nil, refuse("%d containers, %d init containers: only pods with exactly one container are supported", len(s.Containers), len(s.InitContainers))
	}
	c := &s.Containers[0]
	name, _, _ := strings.Cut(c.Image, ":")
	if name != ktuneImage || strings.Contains(c.Image, "@") {
		return nil, refuse("image %q: this node runs only images named %s or %s:<tag> (the local ktune binary)", c.Image, ktuneImage, ktuneImage)
	}
	if len(c.Command) > 1 || len(c.Command) == 1 && c.Command[0] != entrypoint {
		return nil, refuse("command %q: only the image's entrypoint %s can run here", c.Command, entrypoint)
	}
	if len(c.EnvFrom) > 0 {
		return nil, refuse("container %s: envFrom was not resolved", c.Name)
	}

	p := &Process{Path: ktune}
	vols := map[string]string{} // volume name -> host folder
	for _, v := range s.Volumes {
		dir := filepath.Join(root, "volumes", v.Name)
		switch {
		case v.EmptyDir != nil:
			p.Dirs = append(p.Dirs, dir)
		case v.Secret != nil:
			files, err := secretFiles(v.Secret, dir, secret)
			if err != nil {
				return nil, err
			}
			p.Dirs = append(p.Dirs, dir)
			p.Files = append(p.Files, files...)
		default:
			return nil, refuse("volume %s: only emptyDir and secret volumes can be mapped onto a host folder", v.Name)
		}
		vols[v.Name] = dir
	}
	var mounts []mount
	for _, m := range c.VolumeMounts {
		dir, ok := vols[m.Name]
		if !ok {
			return nil, refuse("volume mount %s: no volume of that name", m.Name)
		}
		if m.SubPath != "" || m.SubPathExpr != "" {
			return nil, refuse("volume mount %s: subPath is not supported", m.Name)
		}
		if !path.IsAbs(m.MountPath) {
			return nil, refuse("volume mount %s: mount path %q is not absolute", m.Name, m.MountPath)
		}
		mounts = append(mounts, mount{at: path.Clean(m.MountPath), host: dir})
	}
	// The longest mount path first, so /a/b wins over /a.
	sort.Slice(mounts, func(i, j int) bool { return len(mounts[i].at) > len(mounts[j].at) })

	env := map[string]string{}
	var order []string
	set := func(k, v string) {
		if _, ok := env[k]; !ok {
			order = append(order, k)
		}
		env[k] = v
	}
	set("PATH", defaultPath)
	set("HOSTNAME", pod.Name)
	if tmp, ok := mapPath("/tmp", mounts); ok {
		// The process's temporary files go where the container's would:
		// the volume mounted at /tmp.
		set("TMPDIR", tmp)
	}
	for _, e := range c.Env {
		v := e.Value
		if e.ValueFrom != nil {
			var err error
			if v, err = fieldRef(pod, e); err != nil {
				return nil, err
			}
		}
		set(e.Name, mapArg(expand(v, env), mounts))
	}
	for _, k := range order {
		p.Env = append(p.Env, k+"="+env[k])
	}
	for _, a := range append(append([]string{}, c.Command[min(len(c.Command), 1):]...), c.Args...) {
		p.Args = append(p.Args, mapArg(expand(a, env), mounts))
	}

	wd := c.WorkingDir
	if wd == "" {
		wd = "/"
	}
	dir, ok := mapPath(path.Clean(wd), mounts)
	if !ok {
		return nil, refuse("working directory %q is not on a volume: only volume folders exist on this node", wd)
	}
	p.Dir = dir

	if sc := s.SecurityContext; sc != nil {
		p.UID, p.GID, p.FSGroup = sc.RunAsUser, sc.RunAsGroup, sc.FSGroup
	}
	if sc := c.SecurityContext; sc != nil {
		if sc.RunAsUser != nil {
			p.UID = sc.RunAsUser
		}
		if sc.RunAsGroup != nil {
			p.GID = sc.RunAsGroup
		}
		if sc.Privileged != nil && *sc.Privileged {
			return nil, refuse("container %s is privileged", c.Name)
		}
	}
	return p, nil
}

type mount struct{ at, host string }

// mapPath returns the host path of the container path p, if a mount holds it.
func mapPath(p string, mounts []mount) (string, bool) {
	for _, m := range mounts {
		if p == m.at {
			return m.host, true
		}
		if rest, ok := strings.CutPrefix(p, m.at+"/"); ok {
			return filepath.Join(m.host, rest), true
		}
		if m.at == "/" {
			return filepath.Join(m.host, p), true
		}
	}
	return "", false
}

// mapArg maps a container path in an argument or environment value onto
// the host: the whole value ("/etc/ktune/x") or the value of a flag
// ("--command-config=/etc/ktune/x"). Paths on no mount are kept.
func mapArg(a string, mounts []mount) string {
	prefix, val := "", a
	if i := strings.IndexByte(a, '='); i >= 0 && strings.HasPrefix(a, "-") {
		prefix, val = a[:i+1], a[i+1:]
	}
	if !path.IsAbs(val) {
		return a
	}
	if h, ok := mapPath(path.Clean(val), mounts); ok {
		return prefix + h
	}
	return a
}

// fieldRef resolves the downward API references the Job controller's pods
// use, in case the pod controller left them unresolved.
func fieldRef(pod *corev1.Pod, e corev1.EnvVar) (string, error) {
	f := e.ValueFrom.FieldRef
	if f == nil {
		return "", refuse("env %s: only downward API field references can be resolved here", e.Name)
	}
	fp := f.FieldPath
	switch {
	case fp == "metadata.name":
		return pod.Name, nil
	case fp == "metadata.namespace":
		return pod.Namespace, nil
	case fp == "metadata.uid":
		return string(pod.UID), nil
	case fp == "spec.nodeName":
		return pod.Spec.NodeName, nil
	}
	for prefix, m := range map[string]map[string]string{"metadata.annotations": pod.Annotations, "metadata.labels": pod.Labels} {
		if k, ok := strings.CutPrefix(fp, prefix+"['"); ok && strings.HasSuffix(k, "']") {
			return m[strings.TrimSuffix(k, "']")], nil
		}
	}
	return "", refuse("env %s: field path %q is not supported", e.Name, fp)
}

// secretFiles returns the files of a Secret volume: every key, or the
// listed items, with the volume's modes.
func secretFiles(v *corev1.SecretVolumeSource, dir string, secret SecretFunc) ([]File, error) {
	optional := v.Optional != nil && *v.Optional
	sec, err := secret(v.SecretName)
	if err != nil {
		if optional {
			return nil, nil
		}
		return nil, fmt.Errorf("secret %s: %w", v.SecretName, err)
	}
	mode := fs.FileMode(0o644)
	if v.DefaultMode != nil {
		mode = fs.FileMode(*v.DefaultMode)
	}
	data := func(k string) ([]byte, bool) {
		if b, ok := sec.Data[k]; ok {
			return b, true
		}
		s, ok := sec.StringData[k]
		return []byte(s), ok
	}
	var files []File
	if len(v.Items) == 0 {
		keys := make([]string, 0, len(sec.Data))
		for k := range sec.Data {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			files = append(files, File{Path: filepath.Join(dir, k), Data: sec.Data[k], Mode: mode})
		}
		return files, nil
	}
	for _, it := range v.Items {
		b, ok := data(it.Key)
		if !ok {
			if optional {
				continue
			}
			return nil, fmt.Errorf("secret %s has no key %q", v.SecretName, it.Key)
		}
		if path.IsAbs(it.Path) || strings.Contains(it.Path, "..") {
			return nil, refuse("secret %s item path %q leaves the volume", v.SecretName, it.Path)
		}
		m := mode
		if it.Mode != nil {
			m = fs.FileMode(*it.Mode)
		}
		files = append(files, File{Path: filepath.Join(dir, filepath.FromSlash(it.Path)), Data: b, Mode: m})
	}
	return files, nil
}
