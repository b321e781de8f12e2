package settings_test

import (
	"strings"
	"testing"
	"time"

	"feidi/hooks/settings"
	"feidi/integrations/delivery"
)

// env is an environment for Parse: the tests never read or set the process's own.
func env(vars ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(vars); i += 2 {
		m[vars[i]] = vars[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestEmptyEnvironmentIsTheDefaults(t *testing.T) {
	s, err := settings.Parse(env())
	if err != nil {
		t.Fatal(err)
	}
	if s.College != nil || s.Sharing != nil || s.SyncTombstoneDays != 90 || s != settings.Defaults() {
		t.Fatalf("got %+v", s)
	}
}

func TestTargets(t *testing.T) {
	const secret = "0123456789abcdef"
	cases := []struct {
		name, url, secret, timeout string
		want                       *delivery.Target
		wantErr                    string
	}{
		{name: "unset is off"},
		{name: "defaults", url: "https://college.example/api", secret: secret,
			want: &delivery.Target{URL: "https://college.example/api", Secret: secret, Timeout: 60 * time.Second}},
		{name: "timeout", url: "http://127.0.0.1:8080", secret: secret, timeout: "250ms",
			want: &delivery.Target{URL: "http://127.0.0.1:8080", Secret: secret, Timeout: 250 * time.Millisecond}},
		{name: "not a URL", url: "college.example/api", secret: secret, wantErr: "FEIDI_COLLEGE_URL"},
		{name: "unparsable URL", url: "http://[::1", secret: secret, wantErr: "FEIDI_COLLEGE_URL"},
		{name: "wrong scheme", url: "ftp://college.example", secret: secret, wantErr: "FEIDI_COLLEGE_URL"},
		{name: "missing secret", url: "https://college.example", wantErr: "FEIDI_COLLEGE_SECRET"},
		{name: "short secret", url: "https://college.example", secret: "short", wantErr: "FEIDI_COLLEGE_SECRET"},
		{name: "bad timeout", url: "https://college.example", secret: secret, timeout: "10", wantErr: "FEIDI_COLLEGE_TIMEOUT"},
		{name: "negative timeout", url: "https://college.example", secret: secret, timeout: "-1s", wantErr: "FEIDI_COLLEGE_TIMEOUT"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := settings.Parse(env("FEIDI_COLLEGE_URL", c.url, "FEIDI_COLLEGE_SECRET", c.secret,
				"FEIDI_COLLEGE_TIMEOUT", c.timeout))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error = %v, want one naming %s", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := s.College; (got == nil) != (c.want == nil) || (got != nil && *got != *c.want) {
				t.Fatalf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestSharingHasItsOwnDefaultTimeout(t *testing.T) {
	s, err := settings.Parse(env("FEIDI_SHARING_URL", "https://share.example", "FEIDI_SHARING_SECRET", "0123456789abcdef"))
	if err != nil || s.Sharing == nil || s.Sharing.Timeout != 10*time.Second || s.College != nil {
		t.Fatalf("got %+v, %v", s, err)
	}
	if _, err := settings.Parse(env("FEIDI_SHARING_URL", "https://share.example")); err == nil ||
		!strings.Contains(err.Error(), "FEIDI_SHARING_SECRET") {
		t.Fatalf("a URL without a secret: %v", err)
	}
}

func TestBadURLHidesItsPassword(t *testing.T) {
	_, err := settings.Parse(env("FEIDI_COLLEGE_URL", "ftp://user:hunter2@college.example", "FEIDI_COLLEGE_SECRET", "0123456789abcdef"))
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error = %v", err)
	}
}

func TestTombstoneDays(t *testing.T) {
	for v, want := range map[string]int{"": 90, "1": 1, "365": 365} {
		s, err := settings.Parse(env("FEIDI_SYNC_TOMBSTONE_DAYS", v))
		if err != nil || s.SyncTombstoneDays != want {
			t.Errorf("%q: got %d, %v; want %d", v, s.SyncTombstoneDays, err, want)
		}
	}
	for _, v := range []string{"abc", "0", "-3", "1.5", "90d"} {
		if _, err := settings.Parse(env("FEIDI_SYNC_TOMBSTONE_DAYS", v)); err == nil ||
			!strings.Contains(err.Error(), "FEIDI_SYNC_TOMBSTONE_DAYS") {
			t.Errorf("%q: error = %v, want one naming FEIDI_SYNC_TOMBSTONE_DAYS", v, err)
		}
	}
}

// Every bad variable is named at once, so one start-up shows all that needs fixing.
func TestEveryBadVariableIsNamed(t *testing.T) {
	_, err := settings.Parse(env("FEIDI_COLLEGE_URL", "x", "FEIDI_SHARING_URL", "https://s.example",
		"FEIDI_SYNC_TOMBSTONE_DAYS", "abc"))
	for _, name := range []string{"FEIDI_COLLEGE_URL", "FEIDI_SHARING_SECRET", "FEIDI_SYNC_TOMBSTONE_DAYS"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("error = %v, want it to name %s", err, name)
		}
	}
}

func TestSyncGate(t *testing.T) {
	s, err := settings.Parse(env("FEIDI_SYNC_CONCURRENCY", "12", "FEIDI_SYNC_QUEUE_WAIT", "250ms"))
	if err != nil || s.SyncConcurrency != 12 || s.SyncQueueWait != 250*time.Millisecond {
		t.Errorf("got %d, %v, %v", s.SyncConcurrency, s.SyncQueueWait, err)
	}
	if d := settings.Defaults(); d.SyncConcurrency < 4 || d.SyncQueueWait <= 0 {
		t.Errorf("defaults: %d, %v", d.SyncConcurrency, d.SyncQueueWait)
	}
	for name, bad := range map[string][]string{"FEIDI_SYNC_CONCURRENCY": {"0", "-1", "many", "2.5"},
		"FEIDI_SYNC_QUEUE_WAIT": {"0", "-1s", "1", "soon"}} {
		for _, v := range bad {
			if _, err := settings.Parse(env(name, v)); err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("%s=%q: error = %v, want one naming it", name, v, err)
			}
		}
	}
}

func TestReplica(t *testing.T) {
	on := []string{"FEIDI_REPLICA_BUCKET", "feidi-replica"}
	keys := append([]string{"FEIDI_REPLICA_ACCESS_KEY", "key", "FEIDI_REPLICA_SECRET", "secret"}, on...)
	cases := []struct {
		name    string
		vars    []string
		want    *settings.Replica
		wantErr string
	}{
		{name: "unset is off"},
		{name: "defaults", vars: on, want: &settings.Replica{Bucket: "feidi-replica", Path: "feidi/data.db",
			Region: "us-east-1", SyncInterval: time.Second, BackupCron: "0 * * * *", BackupKeep: 48}},
		{name: "everything", vars: append([]string{"FEIDI_REPLICA_PATH", "dazu/data.db",
			"FEIDI_REPLICA_ENDPOINT", "http://127.0.0.1:9000", "FEIDI_REPLICA_REGION", "cn-southwest-2",
			"FEIDI_REPLICA_ACCESS_KEY", "key", "FEIDI_REPLICA_SECRET", "secret",
			"FEIDI_REPLICA_SYNC_INTERVAL", "250ms", "FEIDI_BACKUP_BUCKET", "feidi-backups",
			"FEIDI_BACKUP_CRON", "30 2 * * *", "FEIDI_BACKUP_KEEP", "7"}, on...),
			want: &settings.Replica{Bucket: "feidi-replica", Path: "dazu/data.db", Endpoint: "http://127.0.0.1:9000",
				Region: "cn-southwest-2", AccessKey: "key", Secret: "secret", SyncInterval: 250 * time.Millisecond,
				BackupBucket: "feidi-backups", BackupCron: "30 2 * * *", BackupKeep: 7}},
		{name: "a replica setting without the bucket", vars: []string{"FEIDI_REPLICA_ENDPOINT", "http://127.0.0.1:9000"}, wantErr: "FEIDI_REPLICA_ENDPOINT"},
		{name: "a backup setting without the bucket", vars: []string{"FEIDI_BACKUP_BUCKET", "feidi-backups"}, wantErr: "FEIDI_BACKUP_BUCKET"},
		{name: "bad bucket", vars: []string{"FEIDI_REPLICA_BUCKET", "Feidi_Replica"}, wantErr: "FEIDI_REPLICA_BUCKET"},
		{name: "bad path", vars: append([]string{"FEIDI_REPLICA_PATH", "/feidi/"}, on...), wantErr: "FEIDI_REPLICA_PATH"},
		{name: "endpoint without scheme", vars: append([]string{"FEIDI_REPLICA_ENDPOINT", "s3.example.com"}, on...), wantErr: "FEIDI_REPLICA_ENDPOINT"},
		{name: "endpoint with a path", vars: append([]string{"FEIDI_REPLICA_ENDPOINT", "https://s3.example.com/feidi"}, on...), wantErr: "FEIDI_REPLICA_ENDPOINT"},
		{name: "key without secret", vars: append([]string{"FEIDI_REPLICA_ACCESS_KEY", "key"}, on...), wantErr: "FEIDI_REPLICA_SECRET"},
		{name: "bad interval", vars: append([]string{"FEIDI_REPLICA_SYNC_INTERVAL", "1"}, on...), wantErr: "FEIDI_REPLICA_SYNC_INTERVAL"},
		{name: "backup bucket is the replica's", vars: append([]string{"FEIDI_BACKUP_BUCKET", "feidi-replica"}, keys...), wantErr: "FEIDI_BACKUP_BUCKET"},
		{name: "bad backup bucket", vars: append([]string{"FEIDI_BACKUP_BUCKET", "-x"}, keys...), wantErr: "FEIDI_BACKUP_BUCKET"},
		{name: "backups without keys", vars: append([]string{"FEIDI_BACKUP_BUCKET", "feidi-backups"}, on...), wantErr: "FEIDI_BACKUP_BUCKET"},
		{name: "cron without backup bucket", vars: append([]string{"FEIDI_BACKUP_CRON", "0 * * * *"}, on...), wantErr: "FEIDI_BACKUP_CRON"},
		{name: "bad cron", vars: append([]string{"FEIDI_BACKUP_BUCKET", "feidi-backups", "FEIDI_BACKUP_CRON", "hourly"}, keys...), wantErr: "FEIDI_BACKUP_CRON"},
		{name: "bad keep", vars: append([]string{"FEIDI_BACKUP_BUCKET", "feidi-backups", "FEIDI_BACKUP_KEEP", "0"}, keys...), wantErr: "FEIDI_BACKUP_KEEP"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := settings.Parse(env(c.vars...))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error = %v, want one naming %s", err, c.wantErr)
				}
				if s.Replica != nil {
					t.Fatalf("a bad replica setting left replication on: %+v", s.Replica)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Replica; (got == nil) != (c.want == nil) || (got != nil && *got != *c.want) {
				t.Fatalf("got %+v, want %+v", got, c.want)
			}
		})
	}
}
