// Package multiinstance holds the webhook pipeline's heavy tests: they build
// the partnerdesk binary once per test run, start several `serve` processes
// on one PostgreSQL database, SIGKILL some of them mid-work and check that
// every event is stored once and processed exactly once. It also holds the
// in-process BenchmarkReceive. There is no non-test code here.
package multiinstance
