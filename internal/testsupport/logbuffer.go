// Package testsupport holds small helpers shared by tests of several
// packages.
package testsupport

import (
	"bytes"
	"sync"
)

// LogBuffer collects log output written from several goroutines, for tests
// that read what was logged.
type LogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
