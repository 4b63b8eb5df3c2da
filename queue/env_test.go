package queue_test

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/injectq/injectq/queue"
)

// TestEnvOverride re-runs this test binary with INJECTQ_BACKEND set (the
// choice is made once, at start-up) and checks what it chose.
func TestEnvOverride(t *testing.T) {
	if os.Getenv("INJECTQ_ENV_CHILD") != "" {
		fmt.Printf("default=%s backend=%s describe=%s\n", queue.DefaultBackend(), queue.New[int]().Backend(), queue.Describe())
		return
	}
	run := func(value string) string {
		// INJECTQ_TEST_EXEC prefixes the child's command line: under
		// qemu-user, which runs this binary without binfmt_misc, the child
		// needs the emulator too (the Makefile sets it).
		args := append(strings.Fields(os.Getenv("INJECTQ_TEST_EXEC")), os.Args[0], "-test.run=^TestEnvOverride$", "-test.count=1")
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Env = append(os.Environ(), "INJECTQ_ENV_CHILD=1", "INJECTQ_BACKEND="+value)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
		for _, line := range strings.Split(string(out), "\n") {
			if strings.HasPrefix(line, "default=") {
				return line
			}
		}
		t.Fatalf("child printed no result: %s", out)
		return ""
	}
	for _, name := range queue.Backends() {
		line := run(name)
		require.Contains(t, line, "default="+name+" backend="+name+" ")
		require.Contains(t, line, "default="+name+";")
	}
	line := run("no-such-backend")
	require.Contains(t, line, "default="+queue.DefaultBackend()+" ", "an unknown name leaves the start-up choice")
	require.Contains(t, line, "INJECTQ_BACKEND=no-such-backend ignored")
}
