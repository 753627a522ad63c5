package tenants

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wardnet/wardnet-cloud/aggregates/code"
	"github.com/wardnet/wardnet-cloud/internal/ratelimit"
)

// wellFormedCode refuses a code that names no code at all (empty, or
// longer than any code) before the guard: such an attempt tests nothing
// and is not counted.
func wellFormedCode(s string) (code.Code, error) {
	if len(s) == 0 || len(s) > code.MaxLen {
		return "", refuse(Unauthorized, msgInvalidCode, code.ErrInvalidCode)
	}
	return code.Code(s), nil
}

// codeGuard limits guessing of one-time codes, on every route that takes
// one (enroll, signup, password reset), before the code is looked at:
//
//   - each client (an IPv4 address, an IPv6 /64) may have at most
//     ratelimit.CodeFailures.Max wrong attempts in its window, counted
//     exactly across replicas: an attempt is reserved before the code is
//     checked and given back when it turns out right (or fails for another
//     reason), so concurrent guesses cannot overshoot;
//   - each purpose has a cluster-wide budget of wrong attempts
//     (ratelimit.CodeFailureBudget): once it is spent, every attempt of
//     that purpose is refused until the oldest failures leave the window,
//     which slows an attack from many addresses at once. It is logged
//     when it engages and when it recovers, and counted in metrics.
//
// docs/tenants.md gives the odds these limits leave a guesser.
type codeGuard struct {
	clients  Reserver
	budgets  map[code.Purpose]Budget
	log      *slog.Logger
	engaged  map[code.Purpose]*atomic.Bool
	refused  *prometheus.CounterVec
	failures *prometheus.CounterVec
}

func newCodeGuard(clients Reserver, budgets map[code.Purpose]Budget, log *slog.Logger, reg prometheus.Registerer) (*codeGuard, error) {
	g := &codeGuard{
		clients: clients,
		budgets: budgets,
		log:     log,
		engaged: make(map[code.Purpose]*atomic.Bool, len(budgets)),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wardnet_code_attempts_refused_total",
			Help: "Attempts at one-time codes refused before the code was checked, by purpose and by the limit that refused them (client, budget).",
		}, []string{"purpose", "limit"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wardnet_code_failures_total",
			Help: "Attempts at one-time codes that named no usable code, by purpose.",
		}, []string{"purpose"}),
	}
	for p := range budgets {
		g.engaged[p] = new(atomic.Bool)
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{g.refused, g.failures} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("code guard metrics: %w", err)
			}
		}
	}
	return g, nil
}

// codeAttempt is an attempt the guard admitted; done tells it the outcome.
type codeAttempt struct {
	g       *codeGuard
	purpose code.Purpose
	res     ratelimit.Reservation
}

// admit checks the purpose's budget and the client's wrong attempts, and
// reserves one attempt for the client. A refusal is RateLimited with
// Retry-After.
func (g *codeGuard) admit(ctx context.Context, purpose code.Purpose, ip netip.Addr) (codeAttempt, error) {
	if b, ok := g.budgets[purpose]; ok {
		spent, retry, err := b.Exhausted(ctx)
		if err != nil {
			return codeAttempt{}, fmt.Errorf("%s code: failure budget: %w", purpose, err)
		}
		g.observe(ctx, purpose, spent, retry)
		if spent {
			g.refused.WithLabelValues(string(purpose), "budget").Inc()
			return codeAttempt{}, &Error{Kind: RateLimited, Message: msgCodesUnderAttack, RetryAfter: retry}
		}
	}
	res, ok, retry, err := g.clients.Reserve(ctx, ratelimit.ClientKey(ip))
	if err != nil {
		return codeAttempt{}, fmt.Errorf("%s code: client limit: %w", purpose, err)
	}
	if !ok {
		g.refused.WithLabelValues(string(purpose), "client").Inc()
		return codeAttempt{}, &Error{Kind: RateLimited, Message: msgTooManyWrongCodes, RetryAfter: retry}
	}
	return codeAttempt{g: g, purpose: purpose, res: res}, nil
}

// observe logs the budget of purpose engaging and recovering, once each
// time, not on every refused attempt.
func (g *codeGuard) observe(ctx context.Context, purpose code.Purpose, spent bool, retry time.Duration) {
	flag := g.engaged[purpose]
	if flag.Swap(spent) == spent {
		return
	}
	if spent {
		g.log.WarnContext(ctx, "code failure budget spent: refusing every attempt at codes of this purpose",
			"purpose", string(purpose), "retry_after", retry)
		return
	}
	g.log.InfoContext(ctx, "code failure budget recovered", "purpose", string(purpose))
}

// done records the attempt's outcome, err being the command's result: a
// code that was not usable is a wrong attempt, which stays counted for
// the client and spends the purpose's budget; anything else (success, a
// refusal for another reason, our failure) gives the attempt back. Its
// own failures are logged: the command's answer stands.
func (a codeAttempt) done(ctx context.Context, err error) {
	g := a.g
	if !errors.Is(err, code.ErrInvalidCode) {
		if cerr := a.res.Cancel(context.WithoutCancel(ctx)); cerr != nil {
			g.log.WarnContext(ctx, "give back a code attempt", "purpose", string(a.purpose), "err", cerr)
		}
		return
	}
	g.failures.WithLabelValues(string(a.purpose)).Inc()
	if b, ok := g.budgets[a.purpose]; ok {
		if serr := b.Spend(context.WithoutCancel(ctx)); serr != nil {
			g.log.WarnContext(ctx, "spend the code failure budget", "purpose", string(a.purpose), "err", serr)
		}
	}
}
