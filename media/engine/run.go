package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Run starts the clock and the sources, captures and encodes in real
// time until ctx ends (it returns nil) or a source or encoder fails (it
// returns the error). The stream is closed when Run returns. Run can be
// called once.
func (e *Engine) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := e.enterRun(cancel); err != nil {
		return err
	}
	defer e.leaveRun()
	epoch := time.Now()
	e.stats.start(epoch)
	for _, p := range e.pipes {
		p.stats.start(epoch)
	}
	if err := e.videoSrc.Start(epoch); err != nil {
		return fmt.Errorf("engine: start video source: %w", err)
	}
	if e.audioSrc != nil {
		if err := e.audioSrc.Start(epoch); err != nil {
			return fmt.Errorf("engine: start audio source: %w", err)
		}
	}
	tasks := []func(context.Context) error{
		func(ctx context.Context) error { return e.captureVideo(ctx, epoch) },
		e.encodeVideo,
	}
	for _, p := range e.pipes {
		tasks = append(tasks, p.run)
	}
	if e.audioSrc != nil {
		tasks = append(tasks, func(ctx context.Context) error { return e.runAudio(ctx, epoch) })
	}
	if err := runAll(ctx, cancel, tasks); err != nil {
		return fmt.Errorf("engine: %w", err)
	}
	return nil
}

func (e *Engine) enterRun(cancel func()) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch e.state {
	case stateNew:
		return errors.New("engine: Run before Initialize")
	case stateRunning, stateFinished:
		return errors.New("engine: Run called twice")
	case stateClosed:
		return errors.New("engine: Run after Close")
	}
	e.state, e.cancel, e.done = stateRunning, cancel, make(chan struct{})
	return nil
}

func (e *Engine) leaveRun() {
	e.stats.stop(time.Now())
	e.closeStreams()
	e.mu.Lock()
	if e.state == stateRunning {
		e.state = stateFinished
	}
	done := e.done
	e.mu.Unlock()
	close(done)
}

// runAll runs every task in its own goroutine; the first error cancels
// the others. It returns when all have returned.
func runAll(ctx context.Context, cancel func(), tasks []func(context.Context) error) error {
	var wg sync.WaitGroup
	errs := make([]error, len(tasks))
	for i, task := range tasks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := task(ctx); err != nil {
				errs[i] = err
				cancel()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
