package main

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/wardnet/wardnet-cloud/events"
)

// eventFlags are the selection and output flags of `events tail` and
// `events replay`.
type eventFlags struct {
	subjects []string
	types    []string
	output   string
}

func (f *eventFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringSliceVar(&f.subjects, "subject", nil, "only these subjects: an aggregate type (tenant), an aggregate (tenant.<id>) or a NATS filter (wardnet.ev.tenant.*); repeatable")
	cmd.Flags().StringSliceVar(&f.types, "type", nil, "only events of these types (ce-type); repeatable")
	cmd.Flags().StringVarP(&f.output, "output", "o", "table", "output format: table or json (one CloudEvent per line)")
}

func (f *eventFlags) query() (events.Query, error) {
	var q events.Query
	for _, s := range f.subjects {
		subj, err := subjectFilter(s)
		if err != nil {
			return q, err
		}
		q.Subjects = append(q.Subjects, subj)
	}
	q.Types = f.types
	if _, err := newPrinter(f.output, nil); err != nil {
		return q, err
	}
	return q, nil
}

func newEventsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "events", Short: "Read the event log"}
	cmd.AddCommand(newTailCmd(g), newReplayCmd(g))
	return cmd
}

func newTailCmd(g *globals) *cobra.Command {
	var (
		f    eventFlags
		last uint64
	)
	cmd := &cobra.Command{
		Use:   "tail",
		Short: "Print the newest events, then follow the log until interrupted",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q, err := f.query()
			if err != nil {
				return err
			}
			nc, js, err := g.jetStream()
			if err != nil {
				return err
			}
			defer nc.Close()
			store := events.NewStore(js, events.NewCatalog())
			end, err := store.LastSeq(cmd.Context())
			if err != nil {
				return err
			}
			if uint64(end) > last {
				q.After = end - events.StreamSeq(last)
			}
			p, _ := newPrinter(f.output, g.out)
			err = emit(store.Follow(cmd.Context(), q), p, nil)
			if errors.Is(err, context.Canceled) || cmd.Context().Err() != nil {
				return nil
			}
			return err
		},
	}
	f.register(cmd)
	cmd.Flags().Uint64Var(&last, "last", 10, "start this many events before the end of the log (counted over the whole log, before filters)")
	return cmd
}

func newReplayCmd(g *globals) *cobra.Command {
	var (
		f                eventFlags
		since, until     string
		fromSeq, toSeq   uint64
		progressDisabled bool
	)
	cmd := &cobra.Command{
		Use:   "replay",
		Short: "Print a range of the event log, oldest first",
		Long: `Print a range of the event log, oldest first, and exit at its end.

--since and --until take an RFC 3339 time (2026-11-24T10:00:00Z), a date
(2026-11-24) or a duration before now (90m, 24h). With neither, the whole log
is replayed. A progress bar is drawn on standard error when it is a terminal.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q, err := f.query()
			if err != nil {
				return err
			}
			now := time.Now()
			if q.Since, err = parseWhen(since, now); err != nil {
				return fmt.Errorf("--since: %w", err)
			}
			if q.Until, err = parseWhen(until, now); err != nil {
				return fmt.Errorf("--until: %w", err)
			}
			if !q.Since.IsZero() && !q.Until.IsZero() && q.Until.Before(q.Since) {
				return errors.New("--until is before --since")
			}
			if fromSeq > 0 {
				q.After = events.StreamSeq(fromSeq - 1)
			}
			q.UntilSeq = events.StreamSeq(toSeq)
			nc, js, err := g.jetStream()
			if err != nil {
				return err
			}
			defer nc.Close()
			store := events.NewStore(js, events.NewCatalog())
			end, err := store.LastSeq(cmd.Context())
			if err != nil {
				return err
			}
			if q.UntilSeq > 0 && q.UntilSeq < end {
				end = q.UntilSeq
			}
			var bar *progressBar
			if !progressDisabled && isTerminal(g.errOut) {
				bar = newProgressBar(g.errOut, uint64(q.After)+1, uint64(end))
				defer bar.finish()
			}
			p, _ := newPrinter(f.output, g.out)
			return emit(store.Read(cmd.Context(), q), p, bar)
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&since, "since", "", "start at this time")
	cmd.Flags().StringVar(&until, "until", "", "stop after this time")
	cmd.Flags().Uint64Var(&fromSeq, "from-seq", 0, "start at this stream sequence")
	cmd.Flags().Uint64Var(&toSeq, "to-seq", 0, "stop after this stream sequence")
	cmd.Flags().BoolVar(&progressDisabled, "no-progress", false, "never draw the progress bar")
	return cmd
}

// emit prints every record, advancing the progress bar if there is one.
func emit(recs iter.Seq2[events.Record, error], p printer, bar *progressBar) error {
	for rec, err := range recs {
		if err != nil {
			return err
		}
		if err := p.print(rec); err != nil {
			return err
		}
		bar.advance(uint64(rec.Seq))
	}
	return p.flush()
}

// subjectFilter turns the --subject shorthand into a NATS subject filter.
func subjectFilter(s string) (string, error) {
	if s == "" || strings.ContainsAny(s, " \t\r\n") {
		return "", fmt.Errorf("--subject %q: empty or contains white space", s)
	}
	if strings.HasPrefix(s, events.SubjectPrefix) {
		return s, nil
	}
	typ, id, hasID := strings.Cut(s, ".")
	if !hasID {
		return events.TypeFilter(typ)
	}
	if id == "*" || id == ">" {
		return events.SubjectPrefix + typ + "." + id, nil
	}
	ref, err := events.NewRef(typ, id)
	if err != nil {
		return "", fmt.Errorf("--subject %q: %w", s, err)
	}
	return ref.Subject(), nil
}

// parseWhen reads a time flag: RFC 3339, a date, or a duration before now.
func parseWhen(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time, a date (YYYY-MM-DD) or a duration such as 90m", s)
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
