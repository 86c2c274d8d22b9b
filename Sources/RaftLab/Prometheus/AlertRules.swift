/// The alerting rules `raftlab up` installs next to `prometheus.yml` in every run directory:
/// the text of `Dashboards/alerts.yml`, which a test keeps identical to this.
public enum AlertRules {
    /// `Dashboards/alerts.yml`.
    public static let yaml = #"""
# Prometheus alerting rules for raftlab clusters, after etcd's (etcd-io/etcd contrib/mixin):
# no leader, too few members up, frequent leader changes, slow fsync, slow commits, failed
# proposals. Lab runs last minutes, not months, so the `for:` windows are shorter than
# etcd's. `raftlab up` installs this same text in every run directory (a test keeps the two
# equal); `promtool check rules` and `promtool test rules Dashboards/alerts_test.yml` pass.
groups:
  - name: raftlab
    rules:
      - alert: RaftNoLeader
        expr: raft_has_leader == 0
        for: 10s
        labels:
          severity: critical
        annotations:
          summary: A Raft node knows no leader.
          description: 'Node {{ $labels.node }} ({{ $labels.instance }}) of run {{ $labels.run }} has known no leader of its term for 10 seconds: it cannot commit.'
      - alert: RaftInsufficientMembers
        expr: sum by (job, run) (up{job="raftlab"}) < ((count by (job, run) (up{job="raftlab"}) + 1) / 2)
        for: 15s
        labels:
          severity: critical
        annotations:
          summary: A Raft cluster has lost its quorum.
          description: 'Run {{ $labels.run }}: only {{ $value }} members answer scrapes, fewer than a majority; no entry can commit.'
      - alert: RaftMembersDown
        expr: up{job="raftlab"} == 0
        for: 15s
        labels:
          severity: warning
        annotations:
          summary: A Raft node does not answer scrapes.
          description: 'Node {{ $labels.node }} ({{ $labels.instance }}) of run {{ $labels.run }} has not answered a scrape for 15 seconds.'
      - alert: RaftFrequentLeaderChanges
        expr: increase(raft_leader_changes_seen_total[10m]) >= 4
        for: 1m
        labels:
          severity: warning
        annotations:
          summary: A Raft cluster keeps changing leaders.
          description: 'Node {{ $labels.node }} ({{ $labels.instance }}) saw {{ $value | humanize }} leaders in the last 10 minutes: look for crashes, partitions, disk stalls or an election timeout too short.'
      - alert: RaftHighFsyncDurations
        expr: histogram_quantile(0.99, sum by (job, run, node, instance, le) (rate(raft_fsync_duration_seconds_bucket[5m]))) > 0.5
        for: 2m
        labels:
          severity: warning
        annotations:
          summary: Durable log fsyncs are slow.
          description: 'Node {{ $labels.node }} ({{ $labels.instance }}): 99th percentile fsync is {{ $value | humanizeDuration }}; heartbeats wait for it, so elections may follow.'
      - alert: RaftHighFsyncDurations
        expr: histogram_quantile(0.99, sum by (job, run, node, instance, le) (rate(raft_fsync_duration_seconds_bucket[5m]))) > 1
        for: 2m
        labels:
          severity: critical
        annotations:
          summary: Durable log fsyncs are very slow.
          description: 'Node {{ $labels.node }} ({{ $labels.instance }}): 99th percentile fsync is {{ $value | humanizeDuration }}, longer than the election timeout.'
      - alert: RaftHighCommitLatency
        expr: histogram_quantile(0.99, sum by (job, run, node, instance, le) (rate(raft_commit_latency_seconds_bucket[5m]))) > 0.25
        for: 2m
        labels:
          severity: warning
        annotations:
          summary: Proposals take long to commit.
          description: 'Node {{ $labels.node }} ({{ $labels.instance }}): 99th percentile commit latency is {{ $value | humanizeDuration }}.'
      - alert: RaftProposalsFailing
        expr: increase(raft_proposals_failed_total[5m]) > 5
        for: 1m
        labels:
          severity: warning
        annotations:
          summary: Proposals are failing.
          description: 'Node {{ $labels.node }} ({{ $labels.instance }}) refused or timed out {{ $value | humanize }} proposals in the last 5 minutes.'

"""#
}
