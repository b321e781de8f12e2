// Package delivery is the part every outside-system client shares: a target (where and with
// which secret), signing requests, one HTTP attempt with its own timeout, and telling a
// permanent failure from one worth retrying. It knows HTTP, not PocketBase; the retry schedule
// and the bookkeeping of attempts belong to the outbox worker (feidi/hooks/outbox).
package delivery
