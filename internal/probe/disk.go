package probe

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ktune/ktune/internal/units"
	"github.com/ktune/ktune/result"
	"github.com/ktune/ktune/result/hist"
)

// describeDisk fills what can be read about dir without writing: device,
// filesystem, mount options, rotational flag, scheduler and space.
func (s *sysRoot) describeDisk(i int, dir string) result.ProbeDisk {
	d := result.ProbeDisk{LogDir: dir}
	key := func(f string) string { return fmt.Sprintf("disks[%d].%s", i, f) }
	var st syscall.Stat_t
	if err := syscall.Stat(dir, &st); err != nil {
		s.miss(key("device"), fmt.Sprintf("stat %s: %v", dir, err))
		return d
	}
	major, minor := unixMajor(st.Dev), unixMinor(st.Dev)
	var fs syscall.Statfs_t
	if err := syscall.Statfs(dir, &fs); err == nil {
		d.FreeBytes = fs.Bavail * uint64(fs.Bsize)
		d.TotalBytes = fs.Blocks * uint64(fs.Bsize)
	} else {
		s.miss(key("free_bytes"), fmt.Sprintf("statfs %s: %v", dir, err))
	}
	if m, ok := s.mountFor(dir, major, minor); ok {
		d.MountPoint, d.Filesystem, d.MountOptions = m.point, m.fstype, m.options
		d.Device = m.source
	} else {
		s.miss(key("filesystem"), fmt.Sprintf("no /proc/self/mountinfo entry for %s (device %d:%d)", dir, major, minor))
	}
	var root syscall.Stat_t
	if err := syscall.Stat("/", &root); err == nil {
		same := root.Dev == st.Dev
		d.OnRootDevice = &same
	}
	s.blockQueue(i, major, minor, &d)
	return d
}

// blockQueue reads rotational and scheduler of the block device major:minor,
// or of its parent when it is a partition.
func (s *sysRoot) blockQueue(i int, major, minor uint32, d *result.ProbeDisk) {
	key := func(f string) string { return fmt.Sprintf("disks[%d].%s", i, f) }
	link := fmt.Sprintf("sys/dev/block/%d:%d", major, minor)
	real, err := filepath.EvalSymlinks(s.path(link))
	if err != nil {
		reason := fmt.Sprintf("/%s does not exist: not a block device (overlay, tmpfs or network filesystem?)", link)
		s.miss(key("rotational"), reason)
		s.miss(key("scheduler"), reason)
		return
	}
	queue := filepath.Join(real, "queue")
	if _, err := os.Stat(queue); err != nil {
		queue = filepath.Join(filepath.Dir(real), "queue") // a partition
	}
	if d.Device == "" || !strings.HasPrefix(d.Device, "/dev/") {
		d.Device = filepath.Base(real)
	}
	if b, err := os.ReadFile(filepath.Join(queue, "rotational")); err == nil {
		rot := strings.TrimSpace(string(b)) == "1"
		d.Rotational = &rot
	} else {
		s.miss(key("rotational"), "no queue/rotational for the device")
	}
	if b, err := os.ReadFile(filepath.Join(queue, "scheduler")); err == nil {
		d.Scheduler = selected(strings.TrimSpace(string(b)))
	} else {
		s.miss(key("scheduler"), "no queue/scheduler for the device")
	}
}

type mount struct {
	point, fstype, source string
	options               []string
}

// mountFor finds dir's mount in /proc/self/mountinfo: the entry of its
// device whose mount point is the longest prefix of dir.
func (s *sysRoot) mountFor(dir string, major, minor uint32) (mount, bool) {
	data, err := os.ReadFile(s.path("proc/self/mountinfo"))
	if err != nil {
		return mount{}, false
	}
	abs, _ := filepath.Abs(dir)
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		abs = r
	}
	dev := fmt.Sprintf("%d:%d", major, minor)
	var best mount
	found := false
	for _, line := range strings.Split(string(data), "\n") {
		pre, post, ok := strings.Cut(line, " - ")
		f, g := strings.Fields(pre), strings.Fields(post)
		if !ok || len(f) < 6 || len(g) < 3 {
			continue
		}
		point := f[4]
		if f[2] != dev || !(abs == point || strings.HasPrefix(abs, strings.TrimSuffix(point, "/")+"/")) {
			continue
		}
		if !found || len(point) > len(best.point) {
			var opts []string
			for _, o := range append(strings.Split(f[5], ","), strings.Split(g[2], ",")...) {
				if !slices.Contains(opts, o) {
					opts = append(opts, o)
				}
			}
			best = mount{point: point, fstype: g[0], source: g[1], options: opts}
			found = true
		}
	}
	return best, found
}

func unixMajor(dev uint64) uint32 { return uint32((dev>>8)&0xfff) | uint32((dev>>32)&^0xfff) }
func unixMinor(dev uint64) uint32 { return uint32(dev&0xff) | uint32((dev>>12)&^0xff) }

// diskTest configures the disk measurements.
type diskTest struct {
	size       int64         // bytes written and read sequentially
	block      int           // sequential block size
	depth      int           // concurrent requests
	syncBytes  int           // bytes per fdatasync append
	syncCount  int           // appends measured
	randOps    time.Duration // time for the random write test; 0 skips it
	phaseLimit time.Duration // bound of each phase
}

var errNoDirect = errors.New("the filesystem does not support O_DIRECT")

// measureDisk runs the write, read, random-write and fdatasync tests in
// dir. Test files are removed on every path out, Ctrl-C included.
func (s *sysRoot) measureDisk(ctx context.Context, i int, d *result.ProbeDisk, t diskTest) {
	key := func(f string) string { return fmt.Sprintf("disks[%d].%s", i, f) }
	if d.FreeBytes > 0 && d.FreeBytes < 2*uint64(t.size) {
		reason := fmt.Sprintf("refused: %d bytes free in %s, less than twice the %d-byte test; free space or pass a smaller --disk-test-size", d.FreeBytes, d.LogDir, t.size)
		for _, f := range []string{"seq_write_mib_per_sec", "seq_read_mib_per_sec", "rand_write_iops", "fdatasync_latency_ms"} {
			s.miss(key(f), reason)
		}
		return
	}
	d.BlockBytes, d.QueueDepth, d.TestBytes = t.block, t.depth, t.size
	path := filepath.Join(d.LogDir, fmt.Sprintf(".ktune-probe-%d", os.Getpid()))
	defer os.Remove(path)
	defer os.Remove(path + ".sync")
	// fdatasync first: after the bulk writes the device may still be
	// draining them, which would slow every sync.
	if h, err := fdatasyncLatency(ctx, path+".sync", t); err == nil {
		sum := result.Summarize(h)
		d.Fdatasync, d.FdatasyncBytes = &sum, t.syncBytes
		d.FdatasyncHDR, _ = h.Encode()
	} else {
		s.miss(key("fdatasync_latency_ms"), err.Error())
	}
	os.Remove(path + ".sync")
	w, err := sequential(ctx, path, t, true)
	if err != nil {
		s.miss(key("seq_write_mib_per_sec"), err.Error())
	} else {
		d.SeqWriteMiBps = &w
		if r, err := sequential(ctx, path, t, false); err == nil {
			d.SeqReadMiBps = &r
		} else {
			s.miss(key("seq_read_mib_per_sec"), err.Error())
		}
		if t.randOps > 0 {
			if iops, err := randomWrites(ctx, path, t); err == nil {
				d.RandWriteIOPS = &iops
			} else {
				s.miss(key("rand_write_iops"), err.Error())
			}
		} else {
			s.miss(key("rand_write_iops"), "skipped (--quick)")
		}
	}
}

// alignedBuf returns page-aligned memory, as O_DIRECT needs.
func alignedBuf(n int) ([]byte, func(), error) {
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil, nil, err
	}
	return b, func() { syscall.Munmap(b) }, nil
}

func openDirect(path string, write bool) (*os.File, error) {
	flags := syscall.O_RDONLY
	if write {
		flags = syscall.O_WRONLY | syscall.O_CREAT | syscall.O_TRUNC
	}
	f, err := os.OpenFile(path, flags|syscall.O_DIRECT, 0o600)
	if errors.Is(err, syscall.EINVAL) {
		return nil, errNoDirect
	}
	return f, err
}

// sequential writes (or reads) t.size bytes in t.block blocks with t.depth
// concurrent requests and O_DIRECT, and returns MiB/s. Writes end with an
// fdatasync, so the figure is what reached the device.
func sequential(ctx context.Context, path string, t diskTest, write bool) (float64, error) {
	f, err := openDirect(path, write)
	if err != nil {
		return 0, fmt.Errorf("opening %s with O_DIRECT: %w", path, err)
	}
	defer f.Close()
	blocks := t.size / int64(t.block)
	var next, done atomic.Int64
	var firstErr error
	var once sync.Once
	deadline := time.Now().Add(t.phaseLimit)
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < t.depth; w++ {
		buf, free, err := alignedBuf(t.block)
		if err != nil {
			return 0, err
		}
		fillRandom(buf, uint64(w))
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer free()
			for ctx.Err() == nil && time.Now().Before(deadline) {
				b := next.Add(1) - 1
				if b >= blocks {
					return
				}
				var err error
				if write {
					_, err = f.WriteAt(buf, b*int64(t.block))
				} else {
					_, err = f.ReadAt(buf, b*int64(t.block))
				}
				if err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	if write && firstErr == nil {
		if err := syscall.Fdatasync(int(f.Fd())); err != nil {
			firstErr = err
		}
	}
	elapsed := time.Since(start).Seconds()
	if firstErr != nil {
		return 0, firstErr
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if done.Load() == 0 || elapsed <= 0 {
		return 0, errors.New("no block completed within the time bound")
	}
	return float64(done.Load()) * float64(t.block) / (1 << 20) / elapsed, nil
}

// randomWrites writes 4 KiB blocks at random aligned offsets of the test
// file with O_DIRECT and t.depth concurrent requests, for t.randOps.
func randomWrites(ctx context.Context, path string, t diskTest) (float64, error) {
	f, err := os.OpenFile(path, syscall.O_WRONLY|syscall.O_DIRECT, 0o600)
	if err != nil {
		return 0, fmt.Errorf("opening %s with O_DIRECT: %w", path, err)
	}
	defer f.Close()
	const bs = 4096
	slots := t.size / bs
	var ops atomic.Int64
	var firstErr error
	var once sync.Once
	start := time.Now()
	deadline := start.Add(t.randOps)
	var wg sync.WaitGroup
	for w := 0; w < t.depth; w++ {
		buf, free, err := alignedBuf(bs)
		if err != nil {
			return 0, err
		}
		rng := rand.New(rand.NewPCG(uint64(w), 11))
		fillRandom(buf, uint64(w)+100)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer free()
			for ctx.Err() == nil && time.Now().Before(deadline) {
				if _, err := f.WriteAt(buf, rng.Int64N(slots)*bs); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				ops.Add(1)
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	return float64(ops.Load()) / time.Since(start).Seconds(), ctx.Err()
}

// fdatasyncLatency appends t.syncBytes at a time, as a broker writes its
// log, and times each fdatasync that follows an append (the file grows, so
// each one also makes the new size durable).
func fdatasyncLatency(ctx context.Context, path string, t diskTest) (*hist.Histogram, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, t.syncBytes)
	fillRandom(buf, 3)
	fd := f.Fd()
	h := hist.New()
	deadline := time.Now().Add(t.phaseLimit)
	for n := 0; n < t.syncCount && ctx.Err() == nil && time.Now().Before(deadline); n++ {
		if _, err := f.Write(buf); err != nil {
			return nil, err
		}
		start := time.Now()
		if err := rawFdatasync(fd); err != nil {
			return nil, fmt.Errorf("fdatasync: %w", err)
		}
		h.Record(time.Since(start))
	}
	if h.Count() == 0 {
		return nil, errors.New("no fdatasync completed within the time bound")
	}
	return h, nil
}

// parseSize reads a --disk-test-size value.
func parseSize(s string) (int64, error) {
	n, err := units.ParseBytes(s)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("--disk-test-size %q: want a size such as 256MiB or 1GiB", s)
	}
	return n, nil
}

// fillRandom fills b with incompressible bytes, so compressing or
// deduplicating storage cannot flatter the figures.
func fillRandom(b []byte, seed uint64) {
	r := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)})
	r.Read(b)
}

// rawFdatasync calls fdatasync without telling the Go scheduler: a blocking
// syscall longer than ~20 µs otherwise has its P handed to another thread,
// and getting it back adds scheduling delay to the very latency measured.
// This goroutine holds its P for the call; the probe runs nothing else then.
func rawFdatasync(fd uintptr) error {
	if _, _, errno := syscall.RawSyscall(syscall.SYS_FDATASYNC, fd, 0, 0); errno != 0 {
		return errno
	}
	return nil
}
