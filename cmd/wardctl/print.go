package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/wardnet/wardnet-cloud/events"
)

// printer writes records in one output format.
type printer interface {
	print(events.Record) error
	flush() error
}

func newPrinter(format string, w io.Writer) (printer, error) {
	bw := bufio.NewWriter(nonNil(w))
	switch format {
	case "table":
		return &tablePrinter{w: bw}, nil
	case "json":
		return &jsonPrinter{w: bw, enc: json.NewEncoder(bw)}, nil
	default:
		return nil, fmt.Errorf("--output %q: want table or json", format)
	}
}

func nonNil(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// tablePrinter writes one aligned line per event, with the payload cut to
// fit; the full payload is in --output json.
type tablePrinter struct {
	w      *bufio.Writer
	header bool
}

const tableData = 60

func (p *tablePrinter) print(r events.Record) error {
	if !p.header {
		fmt.Fprintf(p.w, "%-8s %-24s %-34s %-40s %-24s %s\n", "SEQ", "TIME", "TYPE", "AGGREGATE", "TENANT", "DATA")
		p.header = true
	}
	data, err := json.Marshal(r.Data)
	if err != nil {
		return fmt.Errorf("event %d: %w", r.Seq, err)
	}
	d := string(data)
	if len(d) > tableData {
		d = d[:tableData-1] + "…"
	}
	_, err = fmt.Fprintf(p.w, "%-8d %-24s %-34s %-40s %-24s %s\n",
		r.Seq, r.Time.UTC().Format("2006-01-02T15:04:05.000Z"), r.Type, r.Aggregate, dash(r.TenantID), d)
	if err != nil {
		return err
	}
	// Lines are flushed as they come so that `events tail` is live.
	return p.w.Flush()
}

func (p *tablePrinter) flush() error { return p.w.Flush() }

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return strings.ReplaceAll(s, " ", "_")
}

// jsonPrinter writes each event as a CloudEvent in the JSON event format,
// one per line, with the stream sequence as the extension attribute "seq".
type jsonPrinter struct {
	w   *bufio.Writer
	enc *json.Encoder
}

type cloudEvent struct {
	SpecVersion   string          `json:"specversion"`
	ID            string          `json:"id"`
	Type          string          `json:"type"`
	Source        string          `json:"source"`
	Subject       string          `json:"subject"`
	Time          time.Time       `json:"time"`
	DataSchemaVer int             `json:"schemaversion"`
	TenantID      string          `json:"tenantid,omitempty"`
	Actor         string          `json:"actor,omitempty"`
	CorrelationID string          `json:"correlationid,omitempty"`
	CausationID   string          `json:"causationid,omitempty"`
	Seq           uint64          `json:"seq"`
	ContentType   string          `json:"datacontenttype"`
	Data          json.RawMessage `json:"data"`
}

func (p *jsonPrinter) print(r events.Record) error {
	data, err := json.Marshal(r.Data)
	if err != nil {
		return fmt.Errorf("event %d: %w", r.Seq, err)
	}
	if err := p.enc.Encode(cloudEvent{
		SpecVersion: "1.0", ID: r.ID, Type: r.Type, Source: r.Source, Subject: r.Aggregate.String(),
		Time: r.Time, DataSchemaVer: r.SchemaVersion, TenantID: r.TenantID, Actor: r.Actor,
		CorrelationID: r.CorrelationID, CausationID: r.CausationID, Seq: uint64(r.Seq),
		ContentType: "application/json", Data: data,
	}); err != nil {
		return err
	}
	return p.w.Flush()
}

func (p *jsonPrinter) flush() error { return p.w.Flush() }
