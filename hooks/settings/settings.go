// Package settings reads Feidi's own settings — every FEIDI_* environment variable — in one
// place. main.go parses them once and hands the typed values to each part's Register, so no
// part, and no test, reads the environment itself. (It sits under hooks/ because the design card
// fixes the top level; it knows the integrations' targets and nothing of PocketBase but its cron
// syntax, with which it checks FEIDI_BACKUP_CRON.)
package settings

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/tools/cron"

	"feidi/integrations/college"
	"feidi/integrations/delivery"
	"feidi/integrations/sharing"
)

// DefaultTombstoneDays is FEIDI_SYNC_TOMBSTONE_DAYS when it is unset: a device away for a
// season still syncs record by record.
const DefaultTombstoneDays = 90

// DefaultSyncConcurrency and DefaultSyncQueueWait are FEIDI_SYNC_CONCURRENCY and
// FEIDI_SYNC_QUEUE_WAIT when unset: a few syncs per core at once (pulls judge the rules on the
// read connections in parallel; pushes take the one writer in turn), and a device told to come
// back after waiting a second.
var (
	DefaultSyncConcurrency = max(4, 2*runtime.NumCPU())
	DefaultSyncQueueWait   = time.Second
)

// Settings are Feidi's settings, parsed and checked.
type Settings struct {
	// College is the Engineer College (FEIDI_COLLEGE_*); nil when that integration is off.
	College *delivery.Target
	// Sharing is the data-sharing platform (FEIDI_SHARING_*); nil when that integration is off.
	Sharing *delivery.Target
	// SyncTombstoneDays is how long a device may stay away and still be told record by record
	// what was deleted or left its reach (FEIDI_SYNC_TOMBSTONE_DAYS).
	SyncTombstoneDays int
	// SyncConcurrency is how many pulls and pushes are served at once (FEIDI_SYNC_CONCURRENCY).
	SyncConcurrency int
	// SyncQueueWait is how long a sync waits for its turn before it is answered 503 with a
	// Retry-After (FEIDI_SYNC_QUEUE_WAIT, a Go duration such as 1s).
	SyncQueueWait time.Duration
	// Replica is where data.db is replicated as it changes, and where PocketBase's scheduled
	// backups go (FEIDI_REPLICA_*, FEIDI_BACKUP_*); nil when replication is off.
	Replica *Replica
}

// Replica is an S3-compatible store that Litestream replicates data.db to, and optionally a
// second bucket on the same store for PocketBase's scheduled whole-dir backups (the uploaded
// files with them).
type Replica struct {
	// Bucket holds the replica (FEIDI_REPLICA_BUCKET; setting it turns replication on).
	Bucket string
	// Path is the key prefix of the replica in Bucket (FEIDI_REPLICA_PATH).
	Path string
	// Endpoint is the store's http(s) URL (FEIDI_REPLICA_ENDPOINT); empty means AWS S3. Any
	// endpoint is addressed path-style (bucket in the path), as MinIO, Garage and the like want.
	Endpoint string
	// Region is the store's region (FEIDI_REPLICA_REGION).
	Region string
	// AccessKey and Secret are the store's credentials (FEIDI_REPLICA_ACCESS_KEY,
	// FEIDI_REPLICA_SECRET); both empty means the AWS default chain (instance role).
	AccessKey, Secret string
	// SyncInterval is how often new WAL frames are shipped (FEIDI_REPLICA_SYNC_INTERVAL): the
	// most a dead disk can lose, plus the store's upload time.
	SyncInterval time.Duration
	// BackupBucket takes PocketBase's scheduled backups (FEIDI_BACKUP_BUCKET); empty leaves
	// PocketBase's backup settings to the admin UI. It must not be Bucket: PocketBase lists every
	// key of its bucket as a backup.
	BackupBucket string
	// BackupCron is when the backups run (FEIDI_BACKUP_CRON, five cron fields, in UTC).
	BackupCron string
	// BackupKeep is how many scheduled backups are kept (FEIDI_BACKUP_KEEP).
	BackupKeep int
}

// Defaults of the replica's settings when FEIDI_REPLICA_BUCKET is set.
const (
	DefaultReplicaPath         = "feidi/data.db"
	DefaultReplicaRegion       = "us-east-1"
	DefaultReplicaSyncInterval = time.Second
	DefaultBackupCron          = "0 * * * *" // hourly
	DefaultBackupKeep          = 48
)

// Defaults are the settings of an empty environment: every integration off.
func Defaults() Settings {
	return Settings{SyncTombstoneDays: DefaultTombstoneDays, SyncConcurrency: DefaultSyncConcurrency,
		SyncQueueWait: DefaultSyncQueueWait}
}

// FromEnv parses the process environment; see Parse.
func FromEnv() (Settings, error) { return Parse(os.Getenv) }

// Parse reads every setting through getenv (os.Getenv, or a map in tests). Its error names each
// bad variable; the settings it returns beside an error hold the defaults in place of the bad
// values.
func Parse(getenv func(string) string) (Settings, error) {
	s := Defaults()
	var errCollege, errSharing error
	s.College, errCollege = target(getenv, "FEIDI_COLLEGE", college.DefaultTimeout)
	s.Sharing, errSharing = target(getenv, "FEIDI_SHARING", sharing.DefaultTimeout)
	var errReplica error
	s.Replica, errReplica = replica(getenv)
	err := errors.Join(errCollege, errSharing, errReplica,
		positive(getenv, "FEIDI_SYNC_TOMBSTONE_DAYS", strconv.Atoi, &s.SyncTombstoneDays, "a whole number of days above 0"),
		positive(getenv, "FEIDI_SYNC_CONCURRENCY", strconv.Atoi, &s.SyncConcurrency, "a whole number above 0"),
		positive(getenv, "FEIDI_SYNC_QUEUE_WAIT", time.ParseDuration, &s.SyncQueueWait, "a positive duration such as 1s"))
	if err != nil {
		return s, fmt.Errorf("settings: %w", err)
	}
	return s, nil
}

// positive reads the variable name, when set, with parse into dst; a value that does not parse
// or is not above zero leaves dst as it was and is an error saying what was wanted.
func positive[T int | time.Duration](getenv func(string) string, name string, parse func(string) (T, error), dst *T, want string) error {
	v := getenv(name)
	if v == "" {
		return nil
	}
	n, err := parse(v)
	if err != nil || n <= 0 {
		return fmt.Errorf("%s=%q is not %s", name, v, want)
	}
	*dst = n
	return nil
}

// replica reads FEIDI_REPLICA_* and FEIDI_BACKUP_*; nil when FEIDI_REPLICA_BUCKET is unset
// (then every other of them must be unset too, so that a typo does not leave backups off).
func replica(getenv func(string) string) (*Replica, error) {
	r := &Replica{Bucket: getenv("FEIDI_REPLICA_BUCKET"), Path: DefaultReplicaPath,
		Endpoint: getenv("FEIDI_REPLICA_ENDPOINT"), Region: DefaultReplicaRegion,
		AccessKey: getenv("FEIDI_REPLICA_ACCESS_KEY"), Secret: getenv("FEIDI_REPLICA_SECRET"),
		SyncInterval: DefaultReplicaSyncInterval, BackupBucket: getenv("FEIDI_BACKUP_BUCKET"),
		BackupCron: DefaultBackupCron, BackupKeep: DefaultBackupKeep}
	others := []string{"FEIDI_REPLICA_PATH", "FEIDI_REPLICA_ENDPOINT", "FEIDI_REPLICA_REGION",
		"FEIDI_REPLICA_ACCESS_KEY", "FEIDI_REPLICA_SECRET", "FEIDI_REPLICA_SYNC_INTERVAL",
		"FEIDI_BACKUP_BUCKET", "FEIDI_BACKUP_CRON", "FEIDI_BACKUP_KEEP"}
	if r.Bucket == "" {
		var errs []error
		for _, name := range others {
			if getenv(name) != "" {
				errs = append(errs, fmt.Errorf("%s is set but FEIDI_REPLICA_BUCKET is not: set the bucket to replicate to", name))
			}
		}
		return nil, errors.Join(errs...)
	}
	var errs []error
	if !validBucket(r.Bucket) {
		errs = append(errs, fmt.Errorf("FEIDI_REPLICA_BUCKET=%q is not a bucket name (3-63 lower-case letters, digits, dots and hyphens)", r.Bucket))
	}
	if v := getenv("FEIDI_REPLICA_PATH"); v != "" {
		if strings.HasPrefix(v, "/") || strings.HasSuffix(v, "/") || strings.Contains(v, "//") {
			errs = append(errs, fmt.Errorf("FEIDI_REPLICA_PATH=%q must be a key prefix such as feidi/data.db, without a leading or trailing slash", v))
		} else {
			r.Path = v
		}
	}
	if r.Endpoint != "" {
		u, err := url.Parse(r.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.User != nil {
			errs = append(errs, fmt.Errorf("FEIDI_REPLICA_ENDPOINT=%q is not an http(s) URL of a store's root, such as https://s3.example.com", r.Endpoint))
		}
	}
	if v := getenv("FEIDI_REPLICA_REGION"); v != "" {
		r.Region = v
	}
	if (r.AccessKey == "") != (r.Secret == "") {
		errs = append(errs, errors.New("FEIDI_REPLICA_ACCESS_KEY and FEIDI_REPLICA_SECRET must be set together (or both left unset for the AWS default credentials)"))
	}
	errs = append(errs, positive(getenv, "FEIDI_REPLICA_SYNC_INTERVAL", time.ParseDuration, &r.SyncInterval, "a positive duration such as 1s"))
	if r.BackupBucket == "" {
		for _, name := range []string{"FEIDI_BACKUP_CRON", "FEIDI_BACKUP_KEEP"} {
			if getenv(name) != "" {
				errs = append(errs, fmt.Errorf("%s is set but FEIDI_BACKUP_BUCKET is not: set the bucket the backups go to", name))
			}
		}
	} else {
		if !validBucket(r.BackupBucket) {
			errs = append(errs, fmt.Errorf("FEIDI_BACKUP_BUCKET=%q is not a bucket name (3-63 lower-case letters, digits, dots and hyphens)", r.BackupBucket))
		} else if r.AccessKey == "" {
			errs = append(errs, fmt.Errorf("FEIDI_BACKUP_BUCKET=%q needs FEIDI_REPLICA_ACCESS_KEY and FEIDI_REPLICA_SECRET: PocketBase's backups sign with keys", r.BackupBucket))
		} else if r.BackupBucket == r.Bucket {
			errs = append(errs, fmt.Errorf("FEIDI_BACKUP_BUCKET=%q is FEIDI_REPLICA_BUCKET: PocketBase takes every key of its bucket for a backup, so give it a bucket of its own", r.BackupBucket))
		}
		if v := getenv("FEIDI_BACKUP_CRON"); v != "" {
			if _, err := cron.NewSchedule(v); err != nil {
				errs = append(errs, fmt.Errorf("FEIDI_BACKUP_CRON=%q is not a cron schedule of five fields such as \"0 * * * *\": %v", v, err))
			} else {
				r.BackupCron = v
			}
		}
		errs = append(errs, positive(getenv, "FEIDI_BACKUP_KEEP", strconv.Atoi, &r.BackupKeep, "a whole number of backups above 0"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return r, nil
}

// validBucket reports whether name is an S3 bucket name.
func validBucket(name string) bool {
	if len(name) < 3 || len(name) > 63 {
		return false
	}
	for i, c := range name {
		edge := i == 0 || i == len(name)-1
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case (c == '-' || c == '.') && !edge:
		default:
			return false
		}
	}
	return true
}

// target reads PREFIX_URL, PREFIX_SECRET and PREFIX_TIMEOUT (a Go duration such as 30s). It
// returns nil when PREFIX_URL is unset or empty: that integration is off.
func target(getenv func(string) string, prefix string, defaultTimeout time.Duration) (*delivery.Target, error) {
	raw := getenv(prefix + "_URL")
	if raw == "" {
		return nil, nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		shown := raw
		if err == nil {
			shown = u.Redacted() // a password in the URL stays out of the logs
		}
		return nil, fmt.Errorf("%s_URL=%q is not an absolute http(s) URL", prefix, shown)
	}
	t := &delivery.Target{URL: raw, Secret: getenv(prefix + "_SECRET"), Timeout: defaultTimeout}
	if len(t.Secret) < 16 {
		return nil, fmt.Errorf("%s_SECRET must be set to the shared signing secret (at least 16 characters) when %s_URL is set", prefix, prefix)
	}
	if err := positive(getenv, prefix+"_TIMEOUT", time.ParseDuration, &t.Timeout, "a positive duration such as 30s"); err != nil {
		return nil, err
	}
	return t, nil
}
