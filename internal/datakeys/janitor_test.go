package datakeys_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/wardnet/wardnet-cloud/internal/datakeys"
	"github.com/wardnet/wardnet-cloud/internal/testenv"
)

func TestDestroyDayKeysBefore(t *testing.T) {
	t.Parallel()
	db := testenv.Postgres(t)
	k := newKeyring(t, db.Pool, randomMaster(t))
	ctx := context.Background()
	day := func(d int) time.Time { return time.Date(2026, 5, d, 12, 0, 0, 0, time.UTC) }

	sealedByDay := map[int]string{}
	for d := 5; d <= 10; d++ {
		sealedByDay[d] = seal(t, k, datakeys.DayKey(day(d)), "code mail")
	}
	tenant := seal(t, k, datakeys.TenantKey("t1"), "alice")
	odd := seal(t, k, "day:someday", "not a day key")

	n, err := k.DestroyDayKeysBefore(ctx, day(8).Add(11*time.Hour)) // 2026-05-08 23:00
	if err != nil || n != 3 {
		t.Fatalf("destroyed %d, %v; want 3 (days 5, 6, 7)", n, err)
	}
	for d := 5; d <= 10; d++ {
		if d < 8 {
			openErr(t, k, sealedByDay[d], datakeys.ErrShredded)
		} else {
			open(t, k, sealedByDay[d], "code mail")
		}
	}
	open(t, k, tenant, "alice")
	open(t, k, odd, "not a day key")
	if n, err := k.DestroyDayKeysBefore(ctx, day(8)); err != nil || n != 0 {
		t.Fatalf("second round destroyed %d, %v; want 0", n, err)
	}
}

func TestRunJanitor(t *testing.T) {
	t.Parallel()
	db := testenv.Postgres(t)
	master := randomMaster(t)
	now := time.Date(2026, 5, 10, 0, 30, 0, 0, time.UTC)
	logs := &testenv.Logs{}
	k, err := datakeys.New(db.Pool, master, datakeys.Options{
		Clock:  func() time.Time { return now },
		Logger: slog.New(slog.NewJSONHandler(logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	old := seal(t, k, "day:2026-05-07", "alice@example.com")
	kept := seal(t, k, "day:2026-05-08", "bob@example.com")

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- k.RunJanitor(ctx, 20*time.Millisecond) }()
	testenv.Eventually(t, 10*time.Second, func() error {
		if _, err := k.Open(context.Background(), old); !errors.Is(err, datakeys.ErrShredded) {
			return fmt.Errorf("day:2026-05-07 not destroyed (open: %v)", err)
		}
		return nil
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("RunJanitor = %v, want nil when ctx ends", err)
	}
	open(t, k, kept, "bob@example.com")
	out := logs.String()
	if !strings.Contains(out, "day keys destroyed") {
		t.Fatalf("janitor did not log its round: %s", out)
	}
	if strings.Contains(out, "alice") || strings.Contains(out, string(master)) {
		t.Fatalf("janitor log holds secrets: %s", out)
	}
	if err := k.RunJanitor(context.Background(), 0); err == nil {
		t.Fatal("RunJanitor accepted a zero interval")
	}
}
