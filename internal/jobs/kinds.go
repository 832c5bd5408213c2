package jobs

import (
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// Kinds collects the job kinds the queue runs. Each area that has background
// work registers its own worker (and schedule, if it is periodic) with a
// Register… function next to its job arguments, and internal/app hands the
// collection to New: a new kind adds a registration, not a field to Options.
type Kinds struct {
	names    []string
	adders   []func(*river.Workers) error
	periodic []*river.PeriodicJob
	queues   map[string]int
}

// Queue declares a queue of its own with maxWorkers workers, for kinds whose
// jobs wait on something slow (Klarna's rate limits) and must not hold the
// default queue's workers; their InsertOpts name it.
func (k *Kinds) Queue(name string, maxWorkers int) {
	if k.queues == nil {
		k.queues = map[string]int{}
	}
	k.queues[name] = maxWorkers
}

// Add registers the worker of one job kind. A kind registered twice is an
// error reported by New.
func Add[T river.JobArgs](k *Kinds, w river.Worker[T]) {
	var args T
	k.names = append(k.names, args.Kind())
	k.adders = append(k.adders, func(ws *river.Workers) error { return river.AddWorkerSafely(ws, w) })
}

// Every schedules a job of kind T every interval, the first one when the
// queue starts. Several instances insert one job per period only if T's
// InsertOpts say it is unique by period.
func Every[T river.JobArgs](k *Kinds, interval time.Duration, args func() T) {
	k.periodic = append(k.periodic, river.NewPeriodicJob(river.PeriodicInterval(interval),
		func() (river.JobArgs, *river.InsertOpts) { return args(), nil },
		&river.PeriodicJobOpts{RunOnStart: true}))
}

// Names lists the registered kinds, in registration order.
func (k *Kinds) Names() []string { return append([]string(nil), k.names...) }

func (k *Kinds) workers() (*river.Workers, error) {
	ws := river.NewWorkers()
	if k == nil {
		return ws, nil
	}
	for i, add := range k.adders {
		if err := add(ws); err != nil {
			return nil, fmt.Errorf("jobs: kind %q: %w", k.names[i], err)
		}
	}
	return ws, nil
}

func (k *Kinds) schedules() []*river.PeriodicJob {
	if k == nil {
		return nil
	}
	return k.periodic
}
