package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardnet/wardnet-cloud/agent"
)

func newReportIPCmd(g *globals) *cobra.Command {
	var (
		ip, from string
		force    bool
		watch    time.Duration
	)
	cmd := &cobra.Command{
		Use:   "report-ip (--ip A | --ip-from URL) [--force] [--watch D]",
		Short: "Report the network's public address to ddns when it changed",
		Long: `report-ip finds the public address — a fixed one (--ip), or the answer of a
service that echoes the caller's address as text (--ip-from, e.g.
https://api.ipify.org) — and reports it to the region's ddns service unless
it is the address last reported for its family. IPv4 sets the network's A
record, IPv6 its AAAA record. --force reports it all the same; --watch
checks again at that interval until interrupted.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var src agent.AddressSource = agent.FixedAddress(ip)
			if from != "" {
				src = agent.EchoService{URL: from, Client: &http.Client{Timeout: 10 * time.Second}}
			}
			if watch > 0 && watch < time.Second {
				return errors.New("--watch must be at least 1s")
			}
			report := func(ctx context.Context, force bool) error {
				if force {
					addr, err := src.PublicAddress(ctx)
					if err != nil {
						return err
					}
					if err := c.ReportIP(ctx, addr); err != nil {
						return err
					}
					fmt.Fprintf(g.out, "Reported %s.\n", addr)
					return nil
				}
				addr, sent, err := c.ReportIPIfChanged(ctx, src)
				if err != nil {
					return err
				}
				if sent {
					fmt.Fprintf(g.out, "Reported %s.\n", addr)
				} else if watch == 0 {
					fmt.Fprintf(g.out, "%s is the address last reported; nothing sent (--force sends it anyway).\n", addr)
				}
				return nil
			}
			if err := report(cmd.Context(), force); err != nil || watch == 0 {
				return err
			}
			t := time.NewTicker(watch)
			defer t.Stop()
			for {
				select {
				case <-cmd.Context().Done():
					return nil
				case <-t.C:
				}
				if err := report(cmd.Context(), false); err != nil {
					// A daemon keeps going: the next round may succeed.
					fmt.Fprintln(g.errOut, "wardnet-agent:", err)
				}
			}
		},
	}
	f := cmd.Flags()
	f.StringVar(&ip, "ip", "", "report this address (IPv4 dotted quad or IPv6)")
	f.StringVar(&from, "ip-from", "", "ask this URL for the public address (it answers the caller's address as text)")
	f.BoolVar(&force, "force", false, "report even when the address is the one last reported")
	f.DurationVar(&watch, "watch", 0, "keep checking at this interval (e.g. 5m) and report changes")
	cmd.MarkFlagsMutuallyExclusive("ip", "ip-from")
	cmd.MarkFlagsOneRequired("ip", "ip-from")
	return cmd
}

func newACMECmd(g *globals) *cobra.Command {
	acme := &cobra.Command{
		Use:   "acme",
		Short: "Publish or remove the network's ACME DNS-01 challenge",
	}
	set := &cobra.Command{
		Use:   "set VALUE...",
		Short: "Publish 1 to 4 TXT values at _acme-challenge.<slug>.<zone>, replacing any",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			if err := c.SetChallenge(cmd.Context(), args); err != nil {
				return err
			}
			fmt.Fprintf(g.out, "Challenge set (%d value(s)); the TXT records follow within moments.\n", len(args))
			return nil
		},
	}
	clr := &cobra.Command{
		Use:   "clear",
		Short: "Remove the challenge values",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			if err := c.ClearChallenge(cmd.Context()); err != nil {
				return err
			}
			fmt.Fprintln(g.out, "Challenge cleared.")
			return nil
		},
	}
	acme.AddCommand(set, clr)
	return acme
}
