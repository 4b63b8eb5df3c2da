package queue_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// envChild names the test that a child process of this test binary runs.
const envChild = "INJECTQ_CHILD"

// inChild reports whether this process is the child that runChild started
// for test t: the test then does the part that could crash a process.
func inChild(t *testing.T) bool { return os.Getenv(envChild) == t.Name() }

// runChild runs top-level test t again in a child process (with env added
// to its environment) and returns its output and its exit error. A test
// that could crash the process (a stack overflow, runaway growth) runs its
// risky part there, so that a failure is reported instead of killing the
// test binary.
func runChild(t *testing.T, env ...string) (string, error) {
	t.Helper()
	// INJECTQ_TEST_EXEC prefixes the child's command line: under qemu-user,
	// which runs this binary without binfmt_misc, the child needs the
	// emulator too (the Makefile sets it).
	args := append(strings.Fields(os.Getenv("INJECTQ_TEST_EXEC")), os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.v")
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(append(os.Environ(), envChild+"="+t.Name()), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}
