package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/cobra"

	"github.com/wardnet/wardnet-cloud/projectors"
)

func newProjectionsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "projections",
		Short: "Watch and rebuild the read models of one service's database",
	}
	cmd.AddCommand(newStatusCmd(g), newRebuildCmd(g))
	return cmd
}

func newStatusCmd(g *globals) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show each projection's checkpoint, lag, halt and rebuild",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "table" && output != "json" {
				return fmt.Errorf("--output %q: want table or json", output)
			}
			ctx := cmd.Context()
			states, err := g.projectionStates(ctx)
			if err != nil {
				return err
			}
			if output == "json" {
				enc := json.NewEncoder(g.out)
				enc.SetIndent("", "  ")
				return enc.Encode(states)
			}
			printStates(g.out, states, time.Now())
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table or json")
	return cmd
}

func printStates(w io.Writer, states []projectors.State, now time.Time) {
	fmt.Fprintf(w, "%-20s %10s %10s %8s %-12s %s\n", "NAME", "CHECKPOINT", "LOG", "LAG", "APPLIED", "STATE")
	for _, s := range states {
		state := "live"
		switch {
		case s.HaltedSeq != 0:
			state = fmt.Sprintf("halted at %d: %s", s.HaltedSeq, s.HaltReason)
		case s.Rebuild != nil && s.Rebuild.InProgress() && s.Rebuild.StartedAt.IsZero():
			state = "rebuild requested"
		case s.Rebuild != nil && s.Rebuild.InProgress():
			state = fmt.Sprintf("rebuilding %d/%d (%s)", s.Rebuild.Checkpoint, s.Rebuild.Target, s.Rebuild.Owner)
		case s.Rebuild != nil && s.Rebuild.Error != "":
			state = "live; last rebuild failed: " + s.Rebuild.Error
		}
		fmt.Fprintf(w, "%-20s %10d %10d %8d %-12s %s\n", s.Name, s.Checkpoint, s.StreamLast, s.Lag, ago(s.AppliedAt, now), state)
	}
}

func ago(t, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return now.Sub(t).Truncate(time.Second).String() + " ago"
}

func newRebuildCmd(g *globals) *cobra.Command {
	var noWait bool
	cmd := &cobra.Command{
		Use:   "rebuild NAME",
		Short: "Rebuild a projection from the start of the log beside the live one, then switch",
		Long: `Ask the running instances of the service that owns projection NAME to
rebuild it: one of them builds a new version from sequence 0 beside the live
one, which keeps serving, and switches it in when it has caught up. wardctl
waits and shows progress until the switch (interrupting the wait does not stop
the rebuild), unless --no-wait is given.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			pool, err := g.pool(ctx)
			if err != nil {
				return err
			}
			defer pool.Close()
			requested := time.Now()
			if err := projectors.RequestRebuild(ctx, pool, args[0]); err != nil {
				if errors.Is(err, projectors.ErrUnknownProjection) {
					return fmt.Errorf("no projection %q in this database (wardctl projections status lists them)", args[0])
				}
				return err
			}
			fmt.Fprintf(g.out, "rebuild of %s requested\n", args[0])
			if noWait {
				return nil
			}
			return g.waitRebuild(ctx, args[0], requested)
		},
	}
	cmd.Flags().BoolVar(&noWait, "no-wait", false, "return once the rebuild is requested")
	return cmd
}

// waitRebuild polls the projection's state until its rebuild finishes.
func (g *globals) waitRebuild(ctx context.Context, name string, requested time.Time) error {
	var (
		bar    *progressBar
		warned bool
	)
	if isTerminal(g.errOut) {
		defer func() { bar.finish() }()
	}
	for {
		states, err := g.projectionStates(ctx)
		if err != nil {
			return err
		}
		s, ok := find(states, name)
		if !ok || s.Rebuild == nil {
			return fmt.Errorf("projection %s: the rebuild request disappeared", name)
		}
		r := s.Rebuild
		switch {
		case !r.FinishedAt.IsZero() && r.Error != "":
			return fmt.Errorf("rebuild of %s failed: %s", name, r.Error)
		case !r.FinishedAt.IsZero():
			fmt.Fprintf(g.out, "rebuild of %s switched in at sequence %d\n", name, s.Checkpoint)
			return nil
		case r.StartedAt.IsZero() && !warned && time.Since(requested) > 30*time.Second:
			fmt.Fprintf(g.errOut, "no running instance has claimed the rebuild of %s yet; is its service running?\n", name)
			warned = true
		case !r.StartedAt.IsZero() && isTerminal(g.errOut):
			if bar == nil {
				bar = newProgressBar(g.errOut, 1, uint64(r.Target))
			}
			bar.advance(uint64(r.Checkpoint))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("stopped waiting; the rebuild goes on: %w", ctx.Err())
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func find(states []projectors.State, name string) (projectors.State, bool) {
	for _, s := range states {
		if s.Name == name {
			return s, true
		}
	}
	return projectors.State{}, false
}

// projectionStates reads the projections of the database, with their lag
// against the log.
func (g *globals) projectionStates(ctx context.Context) ([]projectors.State, error) {
	pool, err := g.pool(ctx)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	nc, js, err := g.jetStream()
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	return projectors.Status(ctx, pool, js)
}

func (g *globals) pool(ctx context.Context) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(g.databaseURL)
	if err != nil {
		return nil, errors.New("--database-url: not a valid connection string")
	}
	cfg.MaxConns = 2
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err == nil {
		err = pool.Ping(ctx)
	}
	if err != nil {
		if pool != nil {
			pool.Close()
		}
		return nil, fmt.Errorf("connect to Postgres at %s:%d/%s: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, err)
	}
	return pool, nil
}
