package bench

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/klauspost/cpuid/v2"
)

// Machine names where the numbers came from.
type Machine struct {
	Host    string // hostname, or "N vCPU" when it has none
	NumCPU  int
	CPU     string // cpuid brand, else /proc/cpuinfo "model name"
	GOOS    string
	GOARCH  string
	Go      string
	Date    time.Time
	CGO     string // CGO_ENABLED of the build
	Tags    string // build tags
	Affects string // environment that changes what is measured
	Load0   string // /proc/loadavg at the start ("" where there is none)
	Load1   string // and at the end
}

// loadAvg returns the 1-, 5- and 15-minute load averages (Linux).
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

func thisMachine(now time.Time) Machine {
	m := Machine{NumCPU: runtime.NumCPU(), GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, Go: runtime.Version(), Date: now}
	if h, err := os.Hostname(); err == nil && h != "" {
		m.Host = h
	}
	m.CPU = strings.TrimSpace(cpuid.CPU.BrandName)
	if m.CPU == "" {
		m.CPU = cpuinfoModel()
	}
	if m.CPU == "" {
		m.CPU = "unknown CPU"
	}
	m.CGO = "?"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "CGO_ENABLED":
				m.CGO = s.Value
			case "-tags":
				m.Tags = s.Value
			}
		}
	}
	var env []string
	for _, k := range []string{"INJECTQ_BACKEND", "GOMAXPROCS", "GOGC", "GODEBUG", "GOAMD64", "GOARM64"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	m.Affects = strings.Join(env, " ")
	m.Load0 = loadAvg()
	return m
}

func cpuinfoModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// Line is the one-line description used in results.md and plot titles.
func (m Machine) Line() string {
	host := fmt.Sprintf("%d vCPU", m.NumCPU)
	if m.Host != "" {
		host = fmt.Sprintf("%s (%d vCPU)", m.Host, m.NumCPU)
	}
	return fmt.Sprintf("%s · %s · %s/%s · %s · %s", host, m.CPU, m.GOOS, m.GOARCH, m.Go, m.Date.Format("2006-01-02"))
}

// shellQuote quotes args for a POSIX shell where needed.
func shellQuote(args []string) string {
	var out []string
	for _, a := range args {
		if a != "" && strings.IndexFunc(a, func(r rune) bool {
			return !(r == '-' || r == '_' || r == '.' || r == '/' || r == '=' || r == ',' || r == ':' ||
				r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
		}) < 0 {
			out = append(out, a)
		} else {
			out = append(out, "'"+strings.ReplaceAll(a, "'", `'\''`)+"'")
		}
	}
	return strings.Join(out, " ")
}
