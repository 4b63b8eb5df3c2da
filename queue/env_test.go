package queue_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/injectq/injectq/queue"
)

// TestEnvOverride re-runs this test binary with INJECTQ_BACKEND set (the
// choice is made once, at start-up) and checks what it chose.
func TestEnvOverride(t *testing.T) {
	if inChild(t) {
		fmt.Printf("default=%s backend=%s describe=%s\n", queue.DefaultBackend(), queue.New[int]().Backend(), queue.Describe())
		return
	}
	run := func(value string) string {
		out, err := runChild(t, "INJECTQ_BACKEND="+value)
		require.NoError(t, err, "%s", out)
		for _, line := range strings.Split(out, "\n") {
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
