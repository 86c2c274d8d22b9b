/// The alerting rules `raftlab up` installs next to `prometheus.yml` in every run directory:
/// `Dashboards/alerts.yml`, embedded in the binary at build time.
public enum AlertRules {
    /// The text of `Dashboards/alerts.yml`.
    public static let yaml = String(decoding: PackageResources.alerts_yml, as: UTF8.self)
}
