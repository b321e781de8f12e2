// Package delivery is the part every outside-system client shares: reading a target's settings
// from the environment, signing requests, one HTTP attempt with its own timeout, and telling a
// permanent failure from one worth retrying. It knows HTTP, not PocketBase; the retry schedule
// and the bookkeeping of attempts belong to the outbox worker (feidi/hooks/outbox).
package delivery
